/*
 * err: the one error vocabulary of fazhi.
 *
 * Functions return int: 0 on success, a negative FZ_E* code, or -errno for
 * system calls. Detail travels in one struct fz_err, filled at the first
 * failure only (later calls to fz_err_set() on an already-set err keep the
 * first), and becomes problem+json only at the HTTP edge (src/http/).
 * Messages are shown to users of the console, so they are written in Chinese
 * and name the bad value and what was expected. Any thread may use it; an err
 * belongs to whoever declared it.
 */
#ifndef FZ_CORE_ERR_H
#define FZ_CORE_ERR_H

/* Codes are -1000 and below, so that -errno (above -1000) stays distinct. */
enum fz_code {
	FZ_OK = 0,
	FZ_EINVAL = -1000,     /* bad input: 400 (or 422) */
	FZ_ENOTFOUND = -1001,  /* 404 */
	FZ_EFORBIDDEN = -1002, /* role or scope refuses: 403 */
	FZ_ECONFLICT = -1003,  /* duplicate or stale: 409 */
	FZ_ETOOBIG = -1004,    /* a client-controlled size past its limit: 413 */
	FZ_EUNAUTH = -1005,    /* no, expired or forged credentials: 401 */
	FZ_ELOCKED = -1006,    /* too many failures, wait: 429 */
	FZ_ENOMEM = -1007,     /* 503 */
	FZ_ESTORE = -1008,     /* database failure: 500 */
	FZ_EVERSION = -1009,   /* file written by a newer fazhi or not ours */
	FZ_EINTERNAL = -1010,  /* a bug: 500 */
	FZ_EMETHOD = -1011,    /* the path exists, the method does not: 405 */
	FZ_EMEDIA = -1012,     /* body not in a type we accept: 415 */
};

struct fz_err {
	int code;
	char machine[32]; /* stable machine code, e.g. "unknown_field" */
	char field[96];	  /* offending field or JSON pointer, "" if none */
	char msg[384];	  /* Chinese message naming the value and expected form */
	int retry_after;  /* seconds, for FZ_ELOCKED */
};

/* Clears err. Cannot fail. */
void fz_err_init(struct fz_err *err);

/*
 * Records the first failure: code, machine code (NULL for the code's
 * default), field (NULL for none) and a printf-style message. Returns code,
 * so that callers can write `return fz_err_set(...)`. err may be NULL.
 */
int fz_err_set(struct fz_err *err, int code, const char *machine, const char *field,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The default machine code of a FZ_E* code ("invalid_field", ...). */
const char *fz_err_machine(int code);

/* The HTTP status of a FZ_E* code. */
int fz_err_http_status(int code);

/* A short Chinese title of a machine code, for problem+json. */
const char *fz_err_title(const char *machine);

#endif
