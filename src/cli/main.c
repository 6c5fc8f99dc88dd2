/* fazhi: the command line. One function per command, in commands.c. */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "init", fz_cmd_init, "create or migrate a database and load the regions" },
	{ "demo", fz_cmd_demo, "create if needed and seed the Jinhua demo city" },
	{ "serve", fz_cmd_serve, "serve the API and the console" },
	{ "reload", fz_cmd_reload, "make a running server reload the app packs" },
	{ "user", fz_cmd_user, "add, passwd, disable, enable or list users" },
	{ "audit", fz_cmd_audit, "verify the audit hash chain" },
	{ "calendar", fz_cmd_calendar, "compute deadlines; import and list holiday calendars" },
	{ "source", fz_cmd_source, "add, list, rotate or revoke the data hub's sources" },
	{ "import", fz_cmd_import, "import a CSV or NDJSON file of records from a source" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"fazhi %s: digital rule-of-law platform (金华市数字法治平台)\n\n"
		"Usage: fazhi COMMAND [options]   (fazhi COMMAND --help for more)\n\n"
		"Commands:\n",
		FZ_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "  %-8s %s\n", "version", "print the version and schema");
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("fazhi %s (schema %d)\n", FZ_VERSION, fz_store_schema_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 2, argv + 2);
	fprintf(stderr, "fazhi: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
