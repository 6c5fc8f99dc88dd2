/*
 * demo: seeds the Jinhua demo city into a store whose regions are loaded:
 * for the city and each district its political-legal, police, procuratorate,
 * court, justice, transport and dispute-resolution units; for each township
 * its justice office, police station and governance centre; a property
 * control room for each community; and one user per role at city, district
 * and township level, named <role>.<region code>, all with one password.
 * Idempotent: a store that already has admin.330700 is left as it is.
 * Later packs add their own demo data here. Runs on the caller's thread.
 */
#ifndef FZ_DEMO_DEMO_H
#define FZ_DEMO_DEMO_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_store;

struct fz_demo_report {
	int already; /* the store was seeded before */
	size_t units, users;
};

int fz_demo_seed(struct fz_store *store, const char *password, int64_t now,
		 struct fz_demo_report *out /* OUT */, struct fz_err *err);

#endif
