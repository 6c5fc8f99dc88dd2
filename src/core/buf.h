/*
 * buf: a growable byte string with a hard cap (like Git's strbuf and curl's
 * dynbuf). The data is always NUL-terminated once anything was appended.
 * A buf with max > 0 refuses to grow past max with FZ_ETOOBIG, so every size
 * a client controls is bounded. Not thread-safe; one owner.
 */
#ifndef FZ_CORE_BUF_H
#define FZ_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct fz_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* 0: unlimited */
};

/* Empty buffer with a cap (0 for none). Cannot fail. */
void fz_buf_init(struct fz_buf *b, size_t max);
/* Frees the data; the buf is empty and reusable afterwards. */
void fz_buf_release(struct fz_buf *b);
/* Hands the data to the caller (free() it); the buf is empty afterwards. */
char *fz_buf_detach(struct fz_buf *b, size_t *len /* OUT, may be NULL */);

/* Append bytes. 0, FZ_ETOOBIG past max, FZ_ENOMEM. */
int fz_buf_add(struct fz_buf *b, const void *data, size_t len);
int fz_buf_adds(struct fz_buf *b, const char *s);
int fz_buf_addf(struct fz_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fz_buf_vaddf(struct fz_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Makes room for need elements of size bytes in the array *p of *cap
 * elements, doubling. 0 or FZ_ENOMEM (*p unchanged).
 */
int fz_array_grow(void **p, size_t *cap, size_t need, size_t size);

#endif
