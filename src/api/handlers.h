/* handlers: every API handler, one line each; the table is in routes.c. */
#ifndef FZ_API_HANDLERS_H
#define FZ_API_HANDLERS_H

#include "http/http.h"

#define FZ_HANDLER(name) int name(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)

FZ_HANDLER(fz_api_health);
FZ_HANDLER(fz_api_openapi);
FZ_HANDLER(fz_api_session_create);
FZ_HANDLER(fz_api_session_get);
FZ_HANDLER(fz_api_session_delete);
FZ_HANDLER(fz_api_region_get);
FZ_HANDLER(fz_api_region_boundaries);
FZ_HANDLER(fz_api_unit_kinds);
FZ_HANDLER(fz_api_unit_list);
FZ_HANDLER(fz_api_unit_get);
FZ_HANDLER(fz_api_unit_create);
FZ_HANDLER(fz_api_unit_update);
FZ_HANDLER(fz_api_roles);
FZ_HANDLER(fz_api_user_list);
FZ_HANDLER(fz_api_user_get);
FZ_HANDLER(fz_api_user_create);
FZ_HANDLER(fz_api_user_update);
FZ_HANDLER(fz_api_user_password);
FZ_HANDLER(fz_api_audit_list);
FZ_HANDLER(fz_api_audit_verify);
FZ_HANDLER(fz_api_calendar_deadline);
FZ_HANDLER(fz_api_calendar_years);
FZ_HANDLER(fz_api_calendar_import);
FZ_HANDLER(fz_api_calendar_year);
FZ_HANDLER(fz_api_identifier_validate);
FZ_HANDLER(fz_api_geo_locate);
FZ_HANDLER(fz_api_geo_locate_batch);
FZ_HANDLER(fz_api_geo_cells);
FZ_HANDLER(fz_api_geo_upload);
FZ_HANDLER(fz_api_correction_people);
FZ_HANDLER(fz_api_correction_person_create);
FZ_HANDLER(fz_api_correction_order_create);
FZ_HANDLER(fz_api_correction_violations);
FZ_HANDLER(fz_api_correction_sanctions);
FZ_HANDLER(fz_api_correction_sanction_create);
FZ_HANDLER(fz_api_case_types);
FZ_HANDLER(fz_api_case_type_get);
FZ_HANDLER(fz_api_case_list);
FZ_HANDLER(fz_api_case_create);
FZ_HANDLER(fz_api_case_get);
FZ_HANDLER(fz_api_case_act);
FZ_HANDLER(fz_api_case_attach);
FZ_HANDLER(fz_api_case_attachment);
FZ_HANDLER(fz_api_inbox);
FZ_HANDLER(fz_api_indicators);
FZ_HANDLER(fz_api_packs_reload);
/* rules and alerts (alert_api.c) */
FZ_HANDLER(fz_api_alert_list);
FZ_HANDLER(fz_api_alert_get);
FZ_HANDLER(fz_api_alert_ack);
FZ_HANDLER(fz_api_alert_dismiss);
FZ_HANDLER(fz_api_alert_case);
FZ_HANDLER(fz_api_rule_list);
FZ_HANDLER(fz_api_rule_get);
FZ_HANDLER(fz_api_backtest_create);
FZ_HANDLER(fz_api_backtest_get);
FZ_HANDLER(fz_api_backtest_cancel);
/* data hub (datahub_api.c) */
FZ_HANDLER(fz_api_records_post);
FZ_HANDLER(fz_api_record_types);
FZ_HANDLER(fz_api_source_list);
FZ_HANDLER(fz_api_source_create);
FZ_HANDLER(fz_api_source_get);
FZ_HANDLER(fz_api_source_rotate);
FZ_HANDLER(fz_api_source_revoke);
FZ_HANDLER(fz_api_source_import);
FZ_HANDLER(fz_api_quarantine_list);
FZ_HANDLER(fz_api_quarantine_counts);
FZ_HANDLER(fz_api_quarantine_get);
FZ_HANDLER(fz_api_quarantine_put);
FZ_HANDLER(fz_api_quarantine_discard);
FZ_HANDLER(fz_api_subject_search);
FZ_HANDLER(fz_api_subject_get);
FZ_HANDLER(fz_api_subject_unmask);
/* live dispatch (dispatch_api.c) */
FZ_HANDLER(fz_api_dispatch_list);
FZ_HANDLER(fz_api_dispatch_get);
FZ_HANDLER(fz_api_dispatch_ack);
FZ_HANDLER(fz_api_dispatch_clear);
FZ_HANDLER(fz_api_dispatch_stream);
FZ_HANDLER(fz_api_dispatch_stats);

#endif
