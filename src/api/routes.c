/*
 * The route table: one row per endpoint, with the roles it allows. Every
 * row must appear in docs/openapi.json (tests/unit/api/test_openapi.c
 * checks both ways). /metrics is answered by the server itself.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "core/err.h"
#include "core/file.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define ALL	 FZ_ROLE_ALL
#define ADMIN	 FZ_ROLE_ADMIN
#define PEOPLE	 (FZ_ROLE_ADMIN | FZ_ROLE_LEADER | FZ_ROLE_AUDITOR)
#define AUDITOR	 FZ_ROLE_AUDITOR
#define RULES	 (FZ_ROLE_ADMIN | FZ_ROLE_LEADER)
#define CASEWORK (FZ_ROLE_HANDLER | FZ_ROLE_DISPATCHER | FZ_ROLE_GRID | FZ_ROLE_LEADER)

const struct fz_route fz_api_routes[] = {
	{ "GET", "/healthz", FZ_PUBLIC, fz_api_health, "健康检查" },
	{ "GET", "/metrics", FZ_PUBLIC, fz_api_health, "Prometheus 指标" },
	{ "GET", "/api/v1/openapi.json", FZ_PUBLIC, fz_api_openapi, "OpenAPI 文档" },
	{ "POST", "/api/v1/session", FZ_PUBLIC, fz_api_session_create, "登录" },
	{ "GET", "/api/v1/session", ALL, fz_api_session_get, "当前会话" },
	{ "DELETE", "/api/v1/session", ALL, fz_api_session_delete, "退出登录" },
	{ "GET", "/api/v1/regions/{code}", ALL, fz_api_region_get, "区划及其上级、下级" },
	{ "GET", "/api/v1/regions/{code}/boundaries", ALL, fz_api_region_boundaries,
	  "下级区划边界 GeoJSON" },
	{ "GET", "/api/v1/unit-kinds", ALL, fz_api_unit_kinds, "单位类型" },
	{ "GET", "/api/v1/units", ALL, fz_api_unit_list, "单位列表" },
	{ "POST", "/api/v1/units", ADMIN, fz_api_unit_create, "新建单位" },
	{ "GET", "/api/v1/units/{id}", ALL, fz_api_unit_get, "单位详情" },
	{ "PATCH", "/api/v1/units/{id}", ADMIN, fz_api_unit_update, "修改单位" },
	{ "GET", "/api/v1/roles", ALL, fz_api_roles, "角色" },
	{ "GET", "/api/v1/users", PEOPLE, fz_api_user_list, "用户列表" },
	{ "POST", "/api/v1/users", ADMIN, fz_api_user_create, "新建用户" },
	{ "GET", "/api/v1/users/{id}", PEOPLE, fz_api_user_get, "用户详情（含完整手机号，留痕）" },
	{ "PATCH", "/api/v1/users/{id}", ADMIN, fz_api_user_update, "修改、停用或启用用户" },
	{ "PUT", "/api/v1/users/{id}/password", ADMIN, fz_api_user_password, "重置密码" },
	{ "GET", "/api/v1/audit", AUDITOR, fz_api_audit_list, "审计日志" },
	{ "GET", "/api/v1/audit/verify", AUDITOR, fz_api_audit_verify, "校验审计哈希链" },
	{ "GET", "/api/v1/calendar/deadline", ALL, fz_api_calendar_deadline, "计算期限届满时间" },
	{ "GET", "/api/v1/calendar/years", ALL, fz_api_calendar_years, "已载入的节假日年份" },
	{ "POST", "/api/v1/calendar/years", ADMIN, fz_api_calendar_import, "导入某年节假日安排" },
	{ "GET", "/api/v1/calendar/years/{year}", ALL, fz_api_calendar_year,
	  "某年节假日和调休上班日" },
	{ "POST", "/api/v1/identifiers/validate", ALL, fz_api_identifier_validate,
	  "校验身份证号、统一社会信用代码、车牌或手机号" },
	{ "GET", "/api/v1/geo/locate", ALL, fz_api_geo_locate,
	  "坐标所在的市、区县、乡镇街道、村社区" },
	{ "POST", "/api/v1/geo/locate", ALL, fz_api_geo_locate_batch,
	  "批量定位坐标所在的区县、乡镇街道、村社区", 8u << 20 },
	{ "GET", "/api/v1/geo/cells/{code}", ALL, fz_api_geo_cells,
	  "下级区划边界（含生成的示意边界）GeoJSON" },
	{ "POST", "/api/v1/geo/boundaries", ADMIN, fz_api_geo_upload,
	  "上传乡镇街道或村社区的真实边界，替换生成的边界", 17u << 20 },
	{ "GET", "/api/v1/correction/people", ALL, fz_api_correction_people, "社区矫正对象" },
	{ "POST", "/api/v1/correction/people", ADMIN | CASEWORK, fz_api_correction_person_create,
	  "登记电子定位监管的社区矫正对象" },
	{ "POST", "/api/v1/correction/orders", ADMIN | CASEWORK, fz_api_correction_order_create,
	  "登记电子定位决定（不超过三个月）" },
	{ "GET", "/api/v1/correction/violations", ALL, fz_api_correction_violations,
	  "社区矫正违规及建议处置" },
	{ "GET", "/api/v1/correction/sanctions", ALL, fz_api_correction_sanctions,
	  "社区矫正对象的处罚决定记录" },
	{ "POST", "/api/v1/correction/sanctions", ADMIN | FZ_ROLE_HANDLER | FZ_ROLE_LEADER,
	  fz_api_correction_sanction_create, "司法所决定训诫、警告或提请撤销（留痕）" },
	{ "GET", "/api/v1/case-types", ALL, fz_api_case_types, "案件类型及其定义" },
	{ "GET", "/api/v1/case-types/{type}", ALL, fz_api_case_type_get, "案件类型定义" },
	{ "GET", "/api/v1/cases", ALL, fz_api_case_list, "案件列表" },
	{ "POST", "/api/v1/cases", CASEWORK, fz_api_case_create, "受理案件" },
	{ "GET", "/api/v1/cases/{code}", ALL, fz_api_case_get,
	  "案件详情（时限、流程、可执行操作）" },
	{ "POST", "/api/v1/cases/{code}/actions/{op}", CASEWORK, fz_api_case_act, "办理案件" },
	{ "POST", "/api/v1/cases/{code}/attachments", CASEWORK, fz_api_case_attach, "上传附件",
	  16u << 20 },
	{ "GET", "/api/v1/cases/{code}/attachments/{id}", ALL, fz_api_case_attachment, "下载附件" },
	{ "GET", "/api/v1/inbox", CASEWORK, fz_api_inbox, "待接收的移送" },
	{ "GET", "/api/v1/indicators/cases", ALL, fz_api_indicators, "案件指标" },
	{ "POST", "/api/v1/packs/reload", ADMIN, fz_api_packs_reload, "重新载入应用包" },
	/* rules and alerts */
	{ "GET", "/api/v1/alerts", ALL, fz_api_alert_list, "预警列表（等级、规则、状态、区划筛选）" },
	{ "GET", "/api/v1/alerts/{id}", ALL, fz_api_alert_get, "预警详情（得分说明和关联记录）" },
	{ "POST", "/api/v1/alerts/{id}/acknowledge", CASEWORK, fz_api_alert_ack, "确认预警" },
	{ "POST", "/api/v1/alerts/{id}/dismiss", CASEWORK, fz_api_alert_dismiss, "排除预警（误报，须说明理由）" },
	{ "POST", "/api/v1/alerts/{id}/case", CASEWORK, fz_api_alert_case, "预警转为案件" },
	{ "GET", "/api/v1/rules", ALL, fz_api_rule_list, "预警规则及误报统计" },
	{ "GET", "/api/v1/rules/{name}", ALL, fz_api_rule_get, "预警规则定义" },
	{ "POST", "/api/v1/backtests", RULES, fz_api_backtest_create, "用历史记录回测规则（可用修改后的规则）" },
	{ "GET", "/api/v1/backtests/{id}", RULES, fz_api_backtest_get, "回测进度和结果" },
	{ "DELETE", "/api/v1/backtests/{id}", RULES, fz_api_backtest_cancel, "取消回测" },
	/* data hub (datahub_api.c); POST /records is authenticated by a source key */
	{ "POST", "/api/v1/records", FZ_PUBLIC, fz_api_records_post,
	  "数据源报送记录（X-Source-Key；JSON、NDJSON 或 CSV）", 64u << 20 },
	{ "GET", "/api/v1/record-types", ALL, fz_api_record_types, "记录类型及其字段" },
	{ "GET", "/api/v1/sources", ADMIN, fz_api_source_list, "数据源及其接收状态" },
	{ "POST", "/api/v1/sources", ADMIN, fz_api_source_create, "登记数据源（返回一次密钥）" },
	{ "GET", "/api/v1/sources/{name}", ADMIN, fz_api_source_get, "数据源详情与状态" },
	{ "POST", "/api/v1/sources/{name}/rotate", ADMIN, fz_api_source_rotate,
	  "更换数据源密钥（返回一次新密钥）" },
	{ "POST", "/api/v1/sources/{name}/revoke", ADMIN, fz_api_source_revoke, "停用数据源" },
	{ "POST", "/api/v1/sources/{name}/import", ADMIN, fz_api_source_import,
	  "以某数据源名义导入文件（CSV、NDJSON）", 64u << 20 },
	{ "GET", "/api/v1/quarantine", ADMIN, fz_api_quarantine_list, "隔离区记录列表" },
	{ "GET", "/api/v1/quarantine/counts", ADMIN, fz_api_quarantine_counts,
	  "各数据源每日隔离数" },
	{ "GET", "/api/v1/quarantine/{id}", ADMIN, fz_api_quarantine_get, "隔离记录及其原因" },
	{ "PUT", "/api/v1/quarantine/{id}", ADMIN, fz_api_quarantine_put, "更正并重新提交隔离记录" },
	{ "POST", "/api/v1/quarantine/{id}/discard", ADMIN, fz_api_quarantine_discard,
	  "放弃隔离记录（保留，注明理由）" },
	{ "GET", "/api/v1/subjects", ALL, fz_api_subject_search, "按号码查找人员、车辆、单位、场所" },
	{ "GET", "/api/v1/subjects/{id}", ALL, fz_api_subject_get, "对象及其全部记录（号码脱敏）" },
	{ "POST", "/api/v1/subjects/{id}/unmask", ALL, fz_api_subject_unmask,
	  "说明事由后查看完整号码（留痕）" },
	/* live dispatch (dispatch_api.c) */
	{ "GET", "/api/v1/dispatch/events", ALL, fz_api_dispatch_list, "本单位的现场事件" },
	{ "GET", "/api/v1/dispatch/events/{id}", ALL, fz_api_dispatch_get, "现场事件详情" },
	{ "POST", "/api/v1/dispatch/events/{id}/ack", ALL, fz_api_dispatch_ack, "确认现场事件" },
	{ "POST", "/api/v1/dispatch/events/{id}/clear", ALL, fz_api_dispatch_clear,
	  "现场事件处置完毕" },
	{ "GET", "/api/v1/dispatch/stream", ALL, fz_api_dispatch_stream,
	  "本单位现场事件实时推送（Server-Sent Events）", 0, FZ_ROUTE_QUERY_TOKEN },
	{ "GET", "/api/v1/dispatch/stats", ALL, fz_api_dispatch_stats, "响应时间（按单位、按日）" },
};
const size_t fz_api_nroutes = sizeof(fz_api_routes) / sizeof(fz_api_routes[0]);

int fz_api_health(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	int64_t n = 0;
	cJSON *out;
	int rc;

	if (!db)
		return FZ_ENOMEM;
	rc = fz_store_region_count(db, &n, err);
	if (rc)
		return rc;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "status", "ok");
	fz_json_add_int(out, "schema", fz_store_schema_version());
	fz_json_add_int(out, "regions", n);
	return fz_resp_json(resp, 200, out);
}

int fz_api_openapi(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	const char *path = fz_app_of(req)->openapi_path;
	char *text;
	size_t n;
	int rc = fz_file_read(path, 16 << 20, &text, &n, NULL);

	if (rc == -ENOENT)
		return fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "找不到 OpenAPI 文档 %s", path);
	if (rc)
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "无法读取 OpenAPI 文档");
	resp->status = 200;
	resp->body = text;
	resp->len = n;
	resp->content_type = "application/json; charset=utf-8";
	return 0;
}
