/*
 * `fazhi user add|passwd|disable|enable|list` and `fazhi audit verify`:
 * administration from the shell, for the first admin and for recovery.
 * Changes are audited with the actor "cli".
 */
#include "cli/cli.h"

#include "audit/audit.h"
#include "auth/password.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct change {
	struct fz_user user;
	const char *action;
	int insert, revoke;
};

static int save(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct change *c = arg;
	struct fz_audit_entry e;
	int rc = c->insert ? fz_store_user_insert(db, &c->user, err)
			   : fz_store_user_update(db, &c->user, err);

	if (!rc && c->revoke)
		rc = fz_store_session_revoke_user(db, c->user.id, fz_clock_now(), err);
	if (!rc)
		rc = fz_store_user_get(db, c->user.id, &c->user, err);
	if (rc)
		return rc;
	memset(&e, 0, sizeof(e));
	e.at = fz_clock_now();
	snprintf(e.actor, sizeof(e.actor), "cli");
	snprintf(e.ip, sizeof(e.ip), "local");
	snprintf(e.action, sizeof(e.action), "%s", c->action);
	snprintf(e.object_type, sizeof(e.object_type), "user");
	snprintf(e.object_id, sizeof(e.object_id), "%lld", (long long)c->user.id);
	snprintf(e.region, sizeof(e.region), "%s", c->user.unit_region);
	snprintf(e.region_path, sizeof(e.region_path), "%s", c->user.unit_path);
	snprintf(e.summary, sizeof(e.summary), "命令行 %s %s", c->action, c->user.username);
	return fz_audit_append(db, &e, err);
}

static int read_password(const char *given, char *out, size_t size)
{
	const char *env = getenv("FAZHI_PASSWORD");

	if (given || env) {
		snprintf(out, size, "%s", given ? given : env);
		return 0;
	}
	fprintf(stderr, "password: ");
	if (!fgets(out, (int)size, stdin))
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int parse_roles(const char *list, unsigned *mask, struct fz_err *err)
{
	char buf[256], *save = NULL;

	*mask = 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned bit = fz_role_bit(t);
		if (!bit)
			return fz_err_set(
				err, FZ_EINVAL, NULL, "roles",
				"roles: “%s”不是角色（admin leader dispatcher handler grid auditor）",
				t);
		*mask |= bit;
	}
	return *mask ? 0 : fz_err_set(err, FZ_EINVAL, NULL, "roles", "roles: 至少一个角色");
}

static int user_add(struct fz_cli_run *run)
{
	struct fz_store *store = run->store;
	const struct fz_config *cfg = &run->cfg;
	const struct fz_opt *o = run->opts;
	struct fz_err *err = &run->err;
	struct change c = { { 0 }, "user.create", 1, 0 };
	const char *name = fz_cli_opt(o, "username"), *unit = fz_cli_opt(o, "unit");
	const char *roles = fz_cli_opt(o, "roles"), *scope = fz_cli_opt(o, "scope");
	struct fz_db *db;
	struct fz_unit u;
	char pw[300];
	int rc;

	if (!name || !unit || !roles)
		return fz_err_set(err, FZ_EINVAL, NULL, NULL,
				  "user add needs --username, --unit ID and --roles a,b");
	if ((rc = fz_user_check_username(name, err)) ||
	    (rc = parse_roles(roles, &c.user.roles, err)) ||
	    (rc = fz_user_check_phone(fz_cli_opt(o, "phone") ? fz_cli_opt(o, "phone") : "", err)))
		return rc;
	db = fz_store_reader(store);
	rc = db ? fz_store_unit_get(db, strtoll(unit, NULL, 10), &u, err) : FZ_ENOMEM;
	if (!rc && scope) {
		struct fz_region r;
		rc = fz_store_region_get(db, scope, &r, err);
	}
	fz_store_reader_put(store, db);
	if (rc)
		return rc;
	if (read_password(fz_cli_opt(o, "password"), pw, sizeof(pw)) ||
	    (rc = fz_user_check_password(pw, name,
					 (int)fz_config_int(cfg, FZ_CFG_PASSWORD_MIN_LENGTH), err)))
		return rc ? rc : fz_err_set(err, FZ_EINVAL, NULL, "password", "no password given");
	snprintf(c.user.username, sizeof(c.user.username), "%s", name);
	snprintf(c.user.display_name, sizeof(c.user.display_name), "%s",
		 fz_cli_opt(o, "display-name") ? fz_cli_opt(o, "display-name") : name);
	snprintf(c.user.scope, sizeof(c.user.scope), "%s", scope ? scope : u.region);
	snprintf(c.user.phone, sizeof(c.user.phone), "%s",
		 fz_cli_opt(o, "phone") ? fz_cli_opt(o, "phone") : "");
	c.user.unit_id = u.id;
	c.user.created_at = c.user.updated_at = fz_clock_now();
	if (fz_password_hash(pw, c.user.password_hash, sizeof(c.user.password_hash)))
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "cannot hash the password");
	rc = fz_store_write(store, save, &c, err);
	if (!rc)
		printf("fazhi: user %s added (id %lld, unit %s)\n", c.user.username,
		       (long long)c.user.id, c.user.unit_name);
	return rc;
}

static int user_change(struct fz_cli_run *run)
{
	struct fz_store *store = run->store;
	const struct fz_config *cfg = &run->cfg;
	const struct fz_opt *o = run->opts;
	const char *verb = run->verb;
	struct fz_err *err = &run->err;
	struct change c = { { 0 }, "", 0, 0 };
	const char *name = fz_cli_opt(o, "username");
	struct fz_db *db;
	char pw[300];
	int rc;

	if (!name)
		return fz_err_set(err, FZ_EINVAL, NULL, NULL, "user %s needs --username", verb);
	db = fz_store_reader(store);
	rc = db ? fz_store_user_get_by_name(db, name, &c.user, err) : FZ_ENOMEM;
	fz_store_reader_put(store, db);
	if (rc)
		return rc;
	c.user.updated_at = fz_clock_now();
	if (strcmp(verb, "passwd") == 0) {
		if (read_password(fz_cli_opt(o, "password"), pw, sizeof(pw)) ||
		    (rc = fz_user_check_password(
			     pw, name, (int)fz_config_int(cfg, FZ_CFG_PASSWORD_MIN_LENGTH), err)))
			return rc ? rc
				  : fz_err_set(err, FZ_EINVAL, NULL, "password",
					       "no password given");
		if (fz_password_hash(pw, c.user.password_hash, sizeof(c.user.password_hash)))
			return fz_err_set(err, FZ_EINTERNAL, NULL, NULL,
					  "cannot hash the password");
		c.user.locked_until = 0;
		c.user.failed_count = 0;
		c.action = "user.password";
		c.revoke = 1;
	} else {
		c.user.disabled = strcmp(verb, "disable") == 0;
		c.action = c.user.disabled ? "user.disable" : "user.enable";
		c.revoke = c.user.disabled;
	}
	rc = fz_store_write(store, save, &c, err);
	if (!rc)
		printf("fazhi: %s: %s done\n", name, verb);
	return rc;
}

static int print_user(void *ctx, const struct fz_user *u)
{
	(void)ctx;
	printf("%-6lld %-22s %-24s %-8s %-12s %s\n", (long long)u->id, u->username, u->display_name,
	       u->disabled ? "disabled" : "active", u->scope, u->unit_name);
	return 0;
}

static int user_list(struct fz_cli_run *run)
{
	struct fz_store *store = run->store;
	const struct fz_opt *o = run->opts;
	struct fz_err *err = &run->err;
	struct fz_user_filter f = { 0 };
	struct fz_db *db = fz_store_reader(store);
	struct fz_region r;
	int rc = db ? 0 : FZ_ENOMEM;

	f.scope_path = "/";
	f.limit = 1000000;
	if (!rc && fz_cli_opt(o, "region")) {
		rc = fz_store_region_get(db, fz_cli_opt(o, "region"), &r, err);
		f.region_path = r.path;
	}
	if (!rc)
		rc = fz_store_user_list(db, &f, print_user, NULL, err);
	fz_store_reader_put(store, db);
	return rc;
}

int fz_cmd_user(int argc, char **argv)
{
	static const struct fz_cli_verb verbs[] = {
		{ "add", user_add, FZ_CLI_DB, 0 },	  { "passwd", user_change, FZ_CLI_DB, 0 },
		{ "disable", user_change, FZ_CLI_DB, 0 }, { "enable", user_change, FZ_CLI_DB, 0 },
		{ "list", user_list, FZ_CLI_DB, 0 },	  { NULL, NULL, FZ_CLI_NO_DB, 0 },
	};
	struct fz_opt opts[] = {
		{ "username", 0, "login name", NULL },
		{ "display-name", 0, "name shown in the console (add)", NULL },
		{ "unit", 0, "unit id (add)", NULL },
		{ "roles", 0, "comma list of admin,leader,dispatcher,handler,grid,auditor (add)",
		  NULL },
		{ "scope", 0, "region code of the scope (add; default: the unit's region)", NULL },
		{ "phone", 0, "mobile number (add)", NULL },
		{ "password", 0, "password (add, passwd; else $FAZHI_PASSWORD or stdin)", NULL },
		{ "region", 0, "only users of units in this region (list)", NULL },
		{ NULL, 0, NULL, NULL },
	};
	static const char usage[] =
		"Usage: fazhi user add|passwd|disable|enable|list --db FILE [options]\n"
		"  add      --username U --unit ID --roles a,b [--display-name N] [--scope CODE]\n"
		"           [--phone P] [--password P]\n"
		"  passwd   --username U [--password P]   (ends the user's sessions)\n"
		"  disable  --username U                  (ends the user's sessions)\n"
		"  enable   --username U\n"
		"  list     [--region CODE]";

	return fz_cli_run_verbs(argc, argv, "user", usage, opts, verbs);
}

static int audit_verify(struct fz_cli_run *run)
{
	struct fz_db *db = fz_store_reader(run->store);
	struct fz_audit_report rep;
	int rc = db ? fz_audit_verify(db, &rep, &run->err) : FZ_ENOMEM;

	fz_store_reader_put(run->store, db);
	if (rc)
		return rc;
	if (rep.ok) {
		printf("audit chain intact: %lld entries checked\n", (long long)rep.checked);
		return 0;
	}
	printf("audit chain BROKEN at entry %lld: %s (%lld entries before it are intact)\n",
	       (long long)rep.first_bad, rep.reason, (long long)rep.checked);
	return 1;
}

int fz_cmd_audit(int argc, char **argv)
{
	static const struct fz_cli_verb verbs[] = {
		{ "verify", audit_verify, FZ_CLI_DB, 0 },
		{ NULL, NULL, FZ_CLI_NO_DB, 0 },
	};

	return fz_cli_run_verbs(
		argc, argv, "audit",
		"Usage: fazhi audit verify --db FILE\n"
		"Walks the audit hash chain; exits 0 if intact, 1 naming the first bad entry.",
		NULL, verbs);
}
