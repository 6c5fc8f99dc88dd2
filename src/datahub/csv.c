#include "datahub/csv.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

void fz_csv_init(struct fz_csv *c, const char *text, size_t len, size_t max_record)
{
	memset(c, 0, sizeof(*c));
	c->p = text;
	c->end = text + len;
	c->max_record = max_record ? max_record : 65536;
	c->next_line = 1;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		c->p += 3;
}

void fz_csv_release(struct fz_csv *c)
{
	free(c->scratch);
	c->scratch = NULL;
}

/* Skips to just past the end of the current record (honouring quotes). */
static void skip_record(struct fz_csv *c)
{
	int quoted = 0;

	while (c->p < c->end) {
		char ch = *c->p++;
		if (ch == '"')
			quoted = !quoted;
		else if (ch == '\n') {
			c->next_line++;
			if (!quoted)
				break;
		}
	}
}

static int fail(struct fz_csv *c, int rc)
{
	skip_record(c);
	c->record_len = (size_t)(c->p - c->record);
	return rc;
}

int fz_csv_next(struct fz_csv *c)
{
	size_t out = 0;
	int quoted, field_start;

	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->next_line++;
		c->p++;
	}
	if (c->p >= c->end)
		return 0;
	c->line = c->next_line;
	c->record = c->p;
	c->nfields = 0;
	if (!c->scratch) {
		c->scratch_cap = c->max_record + FZ_CSV_MAX_FIELDS + 1;
		if (!(c->scratch = malloc(c->scratch_cap)))
			return FZ_ENOMEM;
	}
	for (;;) {
		/* one field */
		if (c->nfields == FZ_CSV_MAX_FIELDS)
			return fail(c, FZ_ETOOBIG);
		c->fields[c->nfields] = c->scratch + out;
		field_start = (int)out;
		quoted = c->p < c->end && *c->p == '"';
		if (quoted) {
			c->p++;
			for (;;) {
				if (c->p >= c->end)
					return fail(c, FZ_EINVAL);
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						c->p += 2;
						c->scratch[out++] = '"';
					} else {
						c->p++;
						break;
					}
				} else {
					if (*c->p == '\n')
						c->next_line++;
					c->scratch[out++] = *c->p++;
				}
				if (out >= c->max_record)
					return fail(c, FZ_ETOOBIG);
			}
			if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
				return fail(c, FZ_EINVAL);
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
			       !(*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n'))) {
				if (*c->p == '"')
					return fail(c, FZ_EINVAL);
				c->scratch[out++] = *c->p++;
				if (out >= c->max_record)
					return fail(c, FZ_ETOOBIG);
			}
		}
		c->lens[c->nfields++] = out - (size_t)field_start;
		c->scratch[out++] = '\0';
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		break;
	}
	c->record_len = (size_t)(c->p - c->record);
	if (c->p < c->end && *c->p == '\r')
		c->p++;
	if (c->p < c->end && *c->p == '\n') {
		c->p++;
		c->next_line++;
	}
	return 1;
}
