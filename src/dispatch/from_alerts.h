/*
 * from_alerts: the hand-offs from the rules engine's alerts (and the case
 * engine's new cases, below) to live dispatch. serve registers fz_dispatch_from_alert as the alerts module's
 * listener (rules/alerts.h fz_alerts_set_notify), so rules never know
 * dispatch and dispatch needs only the alert notice: for each alert write
 * at red (or yellow, if a route asks for it) it builds the event's detail
 * (the record's fields, the alert's summary, the subject's likely next
 * hours of the week and stations from the rule's profile) and raises it
 * (fz_dispatch_raise), which finds the route whose "raised_by" names the
 * rule. Alerts of rules no route names raise nothing.
 *
 * Runs on the ingest thread with the rule set locked: it only builds and
 * queues. Thread-safety: as fz_dispatch_raise.
 */
#ifndef FZ_DISPATCH_FROM_ALERTS_H
#define FZ_DISPATCH_FROM_ALERTS_H

#include "core/json.h"

struct fz_alert_notice;

/* fz_alerts_notify_fn; ctx is the struct fz_dispatch. */
void fz_dispatch_from_alert(void *ctx, const struct fz_alert_notice *n);

/*
 * fz_engine_created_fn (cases/engine.h); ctx is the struct fz_dispatch.
 * A case whose type a route names in "raised_by" {case_type} (minor: a
 * minor's mandatory report) raises that route's event at the case's
 * region, device = the case code, detail {case_code, case_type, title,
 * summary, child_age, place} (no personal fields: the reporter's name and
 * phone stay in the case).
 */
struct fz_case;
void fz_dispatch_from_case(void *ctx, const struct fz_case *c);

/*
 * The detail of the event for notice n (caller frees): {alert_id, rule,
 * rule_title, level, score, record (the record's fields), summary
 * [contribution texts], likely {hours [{weekday, hour, count}], stations
 * [{value, count}], text}}. Exposed for tests.
 */
cJSON *fz_dispatch_alert_detail(const struct fz_alert_notice *n);

#endif
