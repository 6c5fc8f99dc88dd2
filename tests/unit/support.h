/* support: helpers shared by the unit tests (temporary files, stores). */
#ifndef FZ_TEST_SUPPORT_H
#define FZ_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

struct fz_store;

/* A fresh temporary directory path (static buffer per call index). */
const char *ts_tmpdir(void);
/* Path of name inside a fresh temporary dir; caller frees. */
char *ts_tmpfile(const char *name);
/* Opens a new store in a temp file and loads a tiny region tree (330000 >
 * 330700 > 330702, 330703 > 330702001, 330702002, 330703001). */
struct fz_store *ts_store(void);
/* Source tree path of rel; caller frees. */
char *ts_source(const char *rel);

#endif
