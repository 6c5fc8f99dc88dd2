/*
 * cli: the `fazhi` command line. main.c dispatches to one function per
 * command; options.c parses flags (command flags first, then any
 * configuration key as --key value) and loads the configuration in its
 * order of precedence. Runs on the main thread only.
 */
#ifndef FZ_CLI_CLI_H
#define FZ_CLI_CLI_H

#include "core/config.h"

struct fz_err;
struct fz_store;

#define FZ_VERSION "0.1.0"

/* A command flag: --name VALUE (or a switch without value). */
struct fz_opt {
	const char *name;
	int is_switch;
	const char *help;
	const char *value; /* OUT: NULL if absent; "1" for a given switch */
};

/*
 * Parses argv (after the command word) into opts and cfg: command flags,
 * --config FILE, then configuration keys; then the file and the
 * environment are applied below the flags. Prints help and returns 1 for
 * --help; returns 0, or 2 after printing an error.
 */
int fz_cli_parse(int argc, char **argv, const char *usage, struct fz_opt *opts,
		 struct fz_config *cfg);
/* The value of option name, NULL if absent. */
const char *fz_cli_opt(const struct fz_opt *opts, const char *name);
/* Prints "fazhi: <msg>" for err to stderr and returns 1. */
int fz_cli_fail(const char *what, const struct fz_err *err);
/* Opens (creating when create) the store of cfg, printing errors. */
struct fz_store *fz_cli_open(const struct fz_config *cfg, int create);
/* Loads regions and boundaries from share_dir if the store has none. */
int fz_cli_load_regions(struct fz_store *store, const struct fz_config *cfg);
struct fz_calendar;
/*
 * The holiday calendar: share_dir/calendar-cn.json, then the years stored
 * in store (NULL: none), which replace the package's. A missing share file
 * is a warning. 0 with *out set (caller unrefs), or 1 after printing.
 */
int fz_cli_load_calendar(struct fz_store *store, const struct fz_config *cfg,
			 struct fz_calendar **out /* OUT */);

int fz_cmd_init(int argc, char **argv);
int fz_cmd_demo(int argc, char **argv);
int fz_cmd_serve(int argc, char **argv);
int fz_cmd_reload(int argc, char **argv);
int fz_cmd_user(int argc, char **argv);
int fz_cmd_audit(int argc, char **argv);
int fz_cmd_calendar(int argc, char **argv);
int fz_cmd_source(int argc, char **argv);
int fz_cmd_import(int argc, char **argv);

#endif
