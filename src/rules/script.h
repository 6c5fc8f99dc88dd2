/*
 * script: the Lua 5.4 runtime of rule files, and the only file of fazhi that
 * includes Lua's headers. A script is one rules/<name>.lua file loaded into
 * its own lua_State, sandboxed:
 * - only the base functions that cannot reach outside (no dofile, loadfile,
 *   load, require, collectgarbage, print) and the string, table, math and
 *   utf8 libraries; no io, os, package or debug; text chunks only (bytecode
 *   is refused);
 * - a memory limit through a custom allocator, and an instruction-count hook
 *   that stops a call (or the loading chunk) past its budget.
 * The chunk runs once at load and defines global functions; rules call them
 * by name with one table argument (name -> number or string) and get a
 * number back. Errors carry the file and the Lua line ("x.lua:3: ...").
 *
 * A script is used by one thread at a time (the rule that owns it: the
 * ingest thread, or a backtest's own copy). Caller frees with
 * fz_script_free().
 */
#ifndef FZ_RULES_SCRIPT_H
#define FZ_RULES_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;
struct fz_script;

#define FZ_SCRIPT_MEM_LIMIT (4u << 20)	 /* bytes per script */
#define FZ_SCRIPT_INSTR_LIMIT 1000000L /* VM instructions per call */

/* Loads and runs the chunk. FZ_EINVAL with err naming field and the Lua
 * message (with its line) when it does not compile or fails to run. */
int fz_script_load(const char *file, const char *src, size_t len, const char *field,
		   struct fz_script **out /* OUT */, struct fz_err *err);
void fz_script_free(struct fz_script *s);

/* 1 when the script defines a global function named fn. */
int fz_script_has(struct fz_script *s, const char *fn);

/* One argument member: a number, or a string when str is not NULL. */
struct fz_script_arg {
	const char *name;
	double num;
	const char *str;
};

/*
 * Calls fn({name = value, ...}) and stores its numeric result (a boolean
 * counts as 1 or 0). FZ_EINVAL with the Lua message on a runtime error, a
 * non-number result, or the instruction or memory limit.
 */
int fz_script_call(struct fz_script *s, const char *fn, const struct fz_script_arg *args,
		   int nargs, double *out /* OUT */, struct fz_err *err);

/* Bytes the script's state holds now. */
size_t fz_script_memory(const struct fz_script *s);

#endif
