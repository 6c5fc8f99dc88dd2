/*
 * arena: scratch memory for one request (nginx and h2o pools). Allocations
 * are freed all at once by fz_arena_release(). Not thread-safe: an arena
 * belongs to the thread handling its request.
 */
#ifndef FZ_CORE_ARENA_H
#define FZ_CORE_ARENA_H

#include <stddef.h>

struct fz_arena_block;

struct fz_arena {
	struct fz_arena_block *head;
};

/* Empty arena. Cannot fail. */
void fz_arena_init(struct fz_arena *a);
/* Frees every allocation. The arena is empty and reusable afterwards. */
void fz_arena_release(struct fz_arena *a);
/* Zeroed memory, 16-byte aligned, valid until release; NULL when out of memory. */
void *fz_arena_alloc(struct fz_arena *a, size_t size);
/* Copies of strings, valid until release; NULL when out of memory. */
char *fz_arena_strdup(struct fz_arena *a, const char *s);
char *fz_arena_strndup(struct fz_arena *a, const char *s, size_t n);
char *fz_arena_printf(struct fz_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
