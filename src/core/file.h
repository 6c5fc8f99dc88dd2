/*
 * file: reading a whole file into memory, with a size cap, and listing a
 * directory in a stable order, the one place that does each (pack definitions, camera lists,
 * calendars, boundaries, the OpenAPI document, the console's static files). Only regular files are
 * read, so a FIFO or a device named by mistake cannot block or flood the
 * reader. Stateless; any thread.
 */
#ifndef FZ_CORE_FILE_H
#define FZ_CORE_FILE_H

#include <stddef.h>

struct fz_err;

/*
 * Reads the regular file at path, at most max bytes, into a new buffer with
 * a NUL after the last byte: 0 with *out (caller frees with free()) and *len
 * set; or, with *out NULL and err filled ("<path>: ..."): -errno when it
 * cannot be opened (machine code not_found for ENOENT), FZ_ETOOBIG when it is
 * larger than max, FZ_EINVAL when it is not a regular file or a read fails,
 * FZ_ENOMEM. err may be NULL.
 */
int fz_file_read(const char *path, size_t max, char **out /* OUT */, size_t *len /* OUT */,
		 struct fz_err *err);

/*
 * The names of the entries of dir that do not start with '.' and end with
 * suffix (and are longer than it; NULL: any name), sorted by strcmp: the
 * packs of apps/ and the definition files of a pack, in a stable order. A
 * missing or unreadable dir lists nothing; without memory the list stops
 * short. Returns the names (NULL when none), caller frees with
 * fz_file_list_free().
 */
char **fz_file_list(const char *dir, const char *suffix, size_t *n /* OUT */);
void fz_file_list_free(char **names, size_t n);

#endif
