#include "rules/script.h"

#include "core/err.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fz_script {
	lua_State *L;
	size_t used, limit;
	long budget; /* instructions left in the current call */
	char file[128];
};

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct fz_script *s = ud;
	size_t old = ptr ? osize : 0;

	if (nsize == 0) {
		free(ptr);
		s->used -= old;
		return NULL;
	}
	if (nsize > old && s->used - old + nsize > s->limit)
		return NULL; /* Lua raises "not enough memory" */
	ptr = realloc(ptr, nsize);
	if (ptr)
		s->used = s->used - old + nsize;
	return ptr;
}

#define HOOK_EVERY 1000

static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct fz_script *s;

	(void)ar;
	lua_getallocf(L, (void **)&s);
	s->budget -= HOOK_EVERY;
	if (s->budget < 0)
		luaL_error(L, "超过指令上限 %d 条", (int)FZ_SCRIPT_INSTR_LIMIT);
}

/* The base functions a rule may use; everything else is removed. */
static const char *const removed_globals[] = {
	"dofile", "loadfile", "load", "require", "collectgarbage", "print", "rawequal",
	"rawget", "rawset", "rawlen", "setmetatable", "getmetatable", NULL,
};

static void open_sandbox(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },	   { LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 }, { NULL, NULL },
	};

	for (const luaL_Reg *l = libs; l->func; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	for (int i = 0; removed_globals[i]; i++) {
		lua_pushnil(L);
		lua_setglobal(L, removed_globals[i]);
	}
	/* string.dump would hand out bytecode; math.random is not repeatable */
	lua_getglobal(L, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	lua_getglobal(L, "math");
	lua_pushnil(L);
	lua_setfield(L, -2, "random");
	lua_pushnil(L);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
}

static int lua_fail(struct fz_script *s, const char *field, struct fz_err *err)
{
	const char *m = lua_tostring(s->L, -1);
	int rc = fz_err_set(err, FZ_EINVAL, "invalid_script", field, "Lua 错误：%s",
			    m ? m : "（无信息）");
	lua_settop(s->L, 0);
	return rc;
}

int fz_script_load(const char *file, const char *src, size_t len, const char *field,
		   struct fz_script **out, struct fz_err *err)
{
	struct fz_script *s = calloc(1, sizeof(*s));
	char chunk[140];

	*out = NULL;
	if (!s)
		return FZ_ENOMEM;
	s->limit = FZ_SCRIPT_MEM_LIMIT;
	snprintf(s->file, sizeof(s->file), "%s", file);
	s->L = lua_newstate(limited_alloc, s);
	if (!s->L) {
		free(s);
		return FZ_ENOMEM;
	}
	open_sandbox(s->L);
	lua_sethook(s->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
	snprintf(chunk, sizeof(chunk), "=%s", file);
	s->budget = FZ_SCRIPT_INSTR_LIMIT;
	if (luaL_loadbufferx(s->L, src, len, chunk, "t") != LUA_OK ||
	    lua_pcall(s->L, 0, 0, 0) != LUA_OK) {
		int rc = lua_fail(s, field, err);
		fz_script_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void fz_script_free(struct fz_script *s)
{
	if (!s)
		return;
	if (s->L)
		lua_close(s->L);
	free(s);
}

int fz_script_has(struct fz_script *s, const char *fn)
{
	int t = lua_getglobal(s->L, fn);
	lua_pop(s->L, 1);
	return t == LUA_TFUNCTION;
}

int fz_script_call(struct fz_script *s, const char *fn, const struct fz_script_arg *args,
		   int nargs, double *out, struct fz_err *err)
{
	lua_State *L = s->L;
	int t;

	*out = 0;
	if (lua_getglobal(L, fn) != LUA_TFUNCTION) {
		lua_settop(L, 0);
		return fz_err_set(err, FZ_EINVAL, "invalid_script", fn, "%s 没有定义函数 %s",
				  s->file, fn);
	}
	if (!lua_checkstack(L, 4)) {
		lua_settop(L, 0);
		return FZ_ENOMEM;
	}
	lua_createtable(L, 0, nargs);
	for (int i = 0; i < nargs; i++) {
		if (args[i].str)
			lua_pushstring(L, args[i].str);
		else
			lua_pushnumber(L, args[i].num);
		lua_setfield(L, -2, args[i].name);
	}
	s->budget = FZ_SCRIPT_INSTR_LIMIT;
	if (lua_pcall(L, 1, 1, 0) != LUA_OK)
		return lua_fail(s, fn, err);
	t = lua_type(L, -1);
	if (t == LUA_TBOOLEAN)
		*out = lua_toboolean(L, -1);
	else if (t == LUA_TNUMBER)
		*out = lua_tonumber(L, -1);
	else {
		lua_settop(L, 0);
		return fz_err_set(err, FZ_EINVAL, "invalid_script", fn, "%s 的函数 %s 应返回数字",
				  s->file, fn);
	}
	lua_settop(L, 0);
	return 0;
}

size_t fz_script_memory(const struct fz_script *s)
{
	return s->used;
}
