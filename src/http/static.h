/*
 * static: console files from a directory, for GET and HEAD. Paths with ".."
 * or control characters are refused; an unknown path without an extension
 * gets index.html (the console routes on the client). Thread-safe (reads
 * files only).
 */
#ifndef FZ_HTTP_STATIC_H
#define FZ_HTTP_STATIC_H

struct fz_err;
struct fz_resp;

/* Fills resp, or returns FZ_ENOTFOUND / FZ_EINVAL with err set. */
int fz_static_serve(const char *dir, const char *method, const char *path, struct fz_resp *resp,
		    struct fz_err *err);

#endif
