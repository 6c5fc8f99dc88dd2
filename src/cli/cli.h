/*
 * cli: the `fazhi` command line. main.c dispatches to one function per
 * command; options.c parses flags (command flags first, then any
 * configuration key as --key value), loads the configuration in its order
 * of precedence, and runs the verbs of a command (`user add`) from the
 * command's table (fz_cli_run_verbs). Runs on the main thread only.
 */
#ifndef FZ_CLI_CLI_H
#define FZ_CLI_CLI_H

#include "core/config.h"
#include "core/err.h"

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

/* How a verb gets the database (--db, FAZHI_DB or the config file). */
enum fz_cli_db {
	FZ_CLI_NO_DB,	   /* the verb opens what it needs itself */
	FZ_CLI_DB,	   /* opened before the verb runs; a failure is printed, exit 1 */
	FZ_CLI_DB_IF_NAMED /* opened only when named, else run->store is NULL */
};

/* What a verb gets. Owned by fz_cli_run_verbs(), borrowed by the verb. */
struct fz_cli_run {
	const char *verb;	/* the verb word as given */
	const char *file;	/* the FILE word after it, NULL if none */
	struct fz_opt *opts;	/* the command's flags, parsed */
	struct fz_config cfg;	/* the settings, parsed */
	struct fz_store *store; /* per the verb's row, else NULL */
	struct fz_err err;	/* for the verb's failure */
};

/*
 * Runs a verb: 0; a negative FZ_E* code with run->err set, printed as
 * "fazhi: <command>: <message>" (exit 1); or a positive exit code after
 * printing its own message.
 */
typedef int (*fz_cli_verb_fn)(struct fz_cli_run *run);

/* A verb of a command (`fazhi user add`): one row of its table. */
struct fz_cli_verb {
	const char *name;
	fz_cli_verb_fn run;
	enum fz_cli_db db;
	int takes_file; /* a FILE word may follow the verb (`calendar import FILE`) */
};

/*
 * `fazhi <command> VERB [FILE] [options]`, one table of verbs (ended by a
 * row with name NULL) instead of a preamble per command: without a verb,
 * or with --help or -h for one, prints usage (exit 2, or 0 for help); parses
 * the flags into opts and the settings (fz_cli_parse: --help after the verb
 * prints usage and the options); refuses an unknown verb ("fazhi: <command>:
 * unknown verb", exit 2); opens the store as the verb's row says; runs the
 * verb and frees everything. Returns the exit code.
 */
int fz_cli_run_verbs(int argc, char **argv, const char *command, const char *usage,
		     struct fz_opt *opts, const struct fz_cli_verb *verbs);

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
