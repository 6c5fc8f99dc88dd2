#include "core/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 8192

struct fz_arena_block {
	struct fz_arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void fz_arena_init(struct fz_arena *a)
{
	a->head = NULL;
}

void fz_arena_release(struct fz_arena *a)
{
	while (a->head) {
		struct fz_arena_block *n = a->head->next;
		free(a->head);
		a->head = n;
	}
}

void *fz_arena_alloc(struct fz_arena *a, size_t size)
{
	struct fz_arena_block *b = a->head;
	size_t need = (size + 15) & ~(size_t)15;
	void *p;

	if (size > ((size_t)-1) / 2)
		return NULL;
	if (!b || b->size - b->used < need) {
		size_t bs = need > BLOCK ? need : BLOCK;
		b = malloc(sizeof(*b) + bs);
		if (!b)
			return NULL;
		b->size = bs;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
	memset(p, 0, size);
	return p;
}

char *fz_arena_strndup(struct fz_arena *a, const char *s, size_t n)
{
	char *d = fz_arena_alloc(a, n + 1);

	if (d)
		memcpy(d, s, n);
	return d;
}

char *fz_arena_strdup(struct fz_arena *a, const char *s)
{
	return fz_arena_strndup(a, s, strlen(s));
}

char *fz_arena_printf(struct fz_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *d;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	d = fz_arena_alloc(a, (size_t)n + 1);
	if (!d)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}
