/*
 * user: people who sign in. A user belongs to one unit, holds roles (a
 * bitmask of FZ_ROLE_*) and a scope: the region subtree they may see and
 * change. Validation of usernames, phone numbers and the password policy
 * lives here; storage in src/store/, hashing in src/auth/.
 */
#ifndef FZ_REGISTRY_USER_H
#define FZ_REGISTRY_USER_H

#include <stddef.h>
#include <stdint.h>

struct fz_err;

enum fz_role {
	FZ_ROLE_ADMIN = 1 << 0,
	FZ_ROLE_LEADER = 1 << 1,
	FZ_ROLE_DISPATCHER = 1 << 2,
	FZ_ROLE_HANDLER = 1 << 3,
	FZ_ROLE_GRID = 1 << 4,
	FZ_ROLE_AUDITOR = 1 << 5,
};
#define FZ_ROLE_ALL 0x3fu

struct fz_role_def {
	unsigned bit;
	const char *role; /* "admin" */
	const char *name; /* "系统管理员" */
};

/* The roles, ended by a row with role NULL. */
extern const struct fz_role_def fz_roles[];

/* The bit of a role name, 0 if none. */
unsigned fz_role_bit(const char *role);

struct fz_user {
	int64_t id;
	char username[64];
	char display_name[128];
	char password_hash[160];
	int64_t unit_id;
	char unit_name[128];
	char unit_kind[24];
	char unit_region[16];
	char unit_path[128];
	unsigned roles;
	char scope[16];
	char scope_name[128];
	char scope_level[12];
	char scope_path[128];
	char phone[32];
	int disabled;
	int failed_count;
	int64_t failed_since, locked_until;
	int64_t created_at, updated_at, last_login_at;
};

/* 3-63 bytes of [a-z0-9._-], starting with a letter. 0 or FZ_EINVAL. */
int fz_user_check_username(const char *s, struct fz_err *err);
/* 11-digit mainland mobile number starting with 1, or "". */
int fz_user_check_phone(const char *s, struct fz_err *err);
/*
 * Password policy: at least min_len characters, at least 3 of upper case,
 * lower case, digits and symbols, and not containing the username.
 * 0 or FZ_EINVAL with machine code "weak_password".
 */
int fz_user_check_password(const char *password, const char *username, int min_len,
			   struct fz_err *err);
/* "138****1234" of a phone number into out. */
void fz_user_mask_phone(const char *phone, char *out, size_t size);

#endif
