#include "cases/case.h"

#include <stdlib.h>
#include <string.h>

void fz_case_init(struct fz_case *c)
{
	memset(c, 0, sizeof(*c));
}

void fz_case_release(struct fz_case *c)
{
	free(c->fields);
	free(c->documents);
	free(c->team);
	c->fields = c->documents = c->team = NULL;
}
