#include "datahub/source.h"

#include "core/digest.h"
#include "core/err.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 48)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return 0;
	return 1;
}

/* A fresh key, its visible prefix and hash. */
static int make_key(char key[FZ_SOURCE_KEY_LEN], char prefix[24], char hash[65],
		    struct fz_err *err)
{
	unsigned char rnd[30];
	char b64[48];

	if (fz_random_bytes(rnd, sizeof(rnd)))
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "无法生成密钥");
	fz_base64url(rnd, sizeof(rnd), b64, sizeof(b64));
	for (char *p = b64; *p; p++)
		if (*p == '-' || *p == '_')
			*p = 'x'; /* keep the key one token when double-clicked */
	snprintf(key, FZ_SOURCE_KEY_LEN, FZ_SOURCE_KEY_PREFIX "%.8s_%.32s", b64, b64 + 8);
	snprintf(prefix, 24, "%.12s", key);
	fz_sha256_hex(key, strlen(key), hash);
	return 0;
}

struct add_op {
	struct fz_source_row row;
	int64_t id;
};

static int add_write(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct add_op *op = arg;

	return fz_source_store_insert(db, &op->row, &op->id, err);
}

int fz_source_add(struct fz_store *store, const char *name, const char *title, int64_t unit_id,
		  const cJSON *types, int64_t now, char key[FZ_SOURCE_KEY_LEN], struct fz_err *err)
{
	struct add_op op;
	char *text;
	int rc;

	if (!name || !name_ok(name))
		return fz_err_set(err, FZ_EINVAL, NULL, "name",
				  "name：“%.48s”无效，应为 2-48 个小写字母、数字、- 或 _",
				  name ? name : "");
	if (!title || !title[0] || strlen(title) > 120)
		return fz_err_set(err, FZ_EINVAL, NULL, "title", "title：应为 1-120 字节的中文名称");
	if (!cJSON_IsArray(types) || !types->child)
		return fz_err_set(err, FZ_EINVAL, NULL, "types",
				  "types：应为记录类型名称的数组，如 [\"overload.weighing\"]");
	for (const cJSON *t = types->child; t; t = t->next)
		if (!cJSON_IsString(t) || strlen(t->valuestring) > 63)
			return fz_err_set(err, FZ_EINVAL, NULL, "types",
					  "types：每项应为记录类型名称（文本）");
	memset(&op, 0, sizeof(op));
	snprintf(op.row.name, sizeof(op.row.name), "%s", name);
	snprintf(op.row.title, sizeof(op.row.title), "%s", title);
	op.row.unit_id = unit_id;
	text = cJSON_PrintUnformatted(types);
	if (!text || strlen(text) >= sizeof(op.row.types)) {
		free(text);
		return fz_err_set(err, FZ_ETOOBIG, NULL, "types", "types：过长");
	}
	snprintf(op.row.types, sizeof(op.row.types), "%s", text);
	free(text);
	op.row.created_at = now;
	if ((rc = make_key(key, op.row.key_prefix, op.row.key_hash, err)))
		return rc;
	return fz_store_write(store, add_write, &op, err);
}

struct key_op {
	const char *name;
	int revoke;
	int64_t now;
	char *key;
};

static int key_write(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct key_op *op = arg;
	struct fz_source_row s;
	char prefix[24], hash[65];
	int rc;

	if ((rc = fz_source_store_get(db, op->name, &s, err)))
		return rc;
	if (op->revoke)
		return fz_source_store_revoke(db, s.id, op->now, err);
	if ((rc = make_key(op->key, prefix, hash, err)))
		return rc;
	return fz_source_store_set_key(db, s.id, prefix, hash, op->now, err);
}

int fz_source_rotate(struct fz_store *store, const char *name, int64_t now,
		     char key[FZ_SOURCE_KEY_LEN], struct fz_err *err)
{
	struct key_op op = { name, 0, now, key };

	return fz_store_write(store, key_write, &op, err);
}

int fz_source_revoke(struct fz_store *store, const char *name, int64_t now, struct fz_err *err)
{
	struct key_op op = { name, 1, now, NULL };

	return fz_store_write(store, key_write, &op, err);
}

int fz_source_authenticate(struct fz_db *db, const char *key, struct fz_source_row *out,
			   struct fz_err *err)
{
	char prefix[24], hash[65];
	struct fz_err e;

	if (!key || strncmp(key, FZ_SOURCE_KEY_PREFIX, 4) != 0 ||
	    strlen(key) != FZ_SOURCE_KEY_LEN - 1)
		return fz_err_set(err, FZ_EUNAUTH, "bad_source_key", "X-Source-Key",
				  "X-Source-Key：数据源密钥无效（应为 fzs_ 开头的 45 个字符）");
	snprintf(prefix, sizeof(prefix), "%.12s", key);
	fz_err_init(&e);
	if (fz_source_store_by_prefix(db, prefix, out, &e)) {
		if (e.code != FZ_ENOTFOUND)
			return fz_err_set(err, e.code, NULL, NULL, "%s", e.msg);
		return fz_err_set(err, FZ_EUNAUTH, "bad_source_key", "X-Source-Key",
				  "X-Source-Key：数据源密钥无效或已更换");
	}
	fz_sha256_hex(key, strlen(key), hash);
	if (strcmp(hash, out->key_hash) != 0)
		return fz_err_set(err, FZ_EUNAUTH, "bad_source_key", "X-Source-Key",
				  "X-Source-Key：数据源密钥无效或已更换");
	if (out->revoked_at)
		return fz_err_set(err, FZ_EFORBIDDEN, "source_revoked", "X-Source-Key",
				  "数据源“%s”已停用", out->name);
	return 0;
}
