#include "core/buf.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_buf_init(struct fz_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void fz_buf_release(struct fz_buf *b)
{
	free(b->data);
	fz_buf_init(b, b->max);
}

char *fz_buf_detach(struct fz_buf *b, size_t *len)
{
	char *d = b->data;

	if (!d)
		d = calloc(1, 1);
	if (len)
		*len = b->len;
	fz_buf_init(b, b->max);
	return d;
}

static int grow(struct fz_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap;
	char *d;

	if (extra > ((size_t)-1) / 2 || (b->max && b->len + extra > b->max))
		return FZ_ETOOBIG;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	d = realloc(b->data, cap);
	if (!d)
		return FZ_ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

int fz_buf_add(struct fz_buf *b, const void *data, size_t len)
{
	int rc = grow(b, len);

	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int fz_buf_adds(struct fz_buf *b, const char *s)
{
	return fz_buf_add(b, s, strlen(s));
}

int fz_buf_vaddf(struct fz_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return FZ_EINVAL;
	rc = grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int fz_buf_addf(struct fz_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fz_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int fz_array_grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (n > ((size_t)-1) / size || !(q = realloc(*p, n * size)))
		return FZ_ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}
