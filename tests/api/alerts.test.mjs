// Early-warning rules over HTTP: records posted through the ingest path
// raise explained alerts (one open per subject and rule, updated as the
// evidence grows), rule state survives a restart, region scope holds, the
// lifecycle (acknowledge, dismiss with a reason counted as a false
// positive, make a case) works, and a backtest of an edited rule reports
// what it would have raised without touching live alerts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi, eventually } from '../lib/fazhi.mjs';

let h, leader, yiwu, key;
const DAY = 86400000;
before(async () => {
  h = await startFazhi();
  leader = await h.login('leader.330700');
  yiwu = await h.login('leader.330782');
  const admin = await h.login('admin.330700');
  const r = await h.api('POST', '/api/v1/sources', {
    token: admin,
    body: { name: 'jt-wim-test', title: '测试称重', types: ['overload.weighing'] },
  });
  assert.equal(r.status, 201, r.text);
  key = r.json.key;
});
after(async () => { await h.stop(); });

const PLATE = '浙G8K2M7';
const iso = (ms) => new Date(ms).toISOString();
// 2-axle truck, 18 t limit; in 婺城区 (lon/lat of a station on G60)
const weigh = (n, at, gross = 30000) => h.api('POST', '/api/v1/records', {
  raw: JSON.stringify({
    type: 'overload.weighing', id: `t-${n}`, station: 'JH-TEST-01', at: iso(at), plate: PLATE,
    axles: 2, vehicle_kind: 'truck', gross_kg: gross, speed_kmh: 50, lane: 1,
    photo_ref: `p${n}.jpg`, lon: 119.62, lat: 29.09,
  }),
  headers: { 'content-type': 'application/json', 'x-source-key': key },
});
const mine = async (token = leader) => {
  const r = await h.api('GET', `/api/v1/alerts?rule=overload.repeat_offender&open=1&limit=200`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((a) => a.subject === PLATE);
};
// the ingest thread hands records to the rules after the 2xx: wait for it
const until = (fn) => eventually(fn, 'the rules to see the records');

test('the demo truck is red, explained with its overloads, heavy weighings and night hours', async () => {
  const r = await h.api('GET', '/api/v1/alerts?level=red&rule=overload.repeat_offender', { token: leader });
  assert.equal(r.status, 200, r.text);
  const a = r.json.items.find((x) => x.summary.some((t) => t.includes('近一年超限 56 次')));
  assert.ok(a, JSON.stringify(r.json.items.map((x) => x.summary)));
  const d = await h.api('GET', `/api/v1/alerts/${a.id}`, { token: leader });
  assert.equal(d.status, 200, d.text);
  const ex = d.json.explanation;
  const heavy = ex.contributions.find((c) => c.id === 'over_100t');
  assert.match(heavy.text, /18 次总重超过 100 吨/);
  assert.equal(heavy.records.length, 18);
  assert.match(heavy.basis, /百吨/);
  const repeat = ex.contributions.find((c) => c.id === 'repeat');
  assert.match(repeat.basis, /第45条/);
  // where and when next: the top hour-of-week slot is at night
  assert.ok(ex.aggregates.hours.top[0].hour < 5, JSON.stringify(ex.aggregates.hours.top));
  assert.ok(ex.aggregates.stations.top.length >= 1);
});

test('overloads raise one alert per plate that grows: green, yellow, red', async () => {
  const t = h.now() - 30 * DAY;
  let r = await weigh(1, t);
  assert.ok(r.status < 300, r.text);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal((await mine()).length, 0); // one overload: green, no alert
  await weigh(2, t + DAY);
  const [a] = await until(async () => { const m = await mine(); return m.length ? m : null; });
  assert.equal(a.level, 'yellow');
  await weigh(3, t + 2 * DAY);
  await weigh(4, t + 3 * DAY, 21000);
  const b = await until(async () => { const [x] = await mine(); return x && x.level === 'red' ? x : null; });
  assert.equal(b.id, a.id); // the same alert, updated: no duplicate
  assert.equal((await mine()).length, 1);
  assert.equal(b.evidence, 3);
  assert.ok(b.summary.some((s) => s.includes('近一年超限 4 次')), JSON.stringify(b.summary));
  // the fine of the Zhejiang tiers for the last one (16.7 % over: education)
  assert.ok(b.summary.some((s) => s.includes('应罚款 0 元')), JSON.stringify(b.summary));
  const m = await h.api('GET', '/metrics');
  assert.ok(Number(m.text.match(/^fazhi_rules_records_total (\d+)$/m)[1]) >= 4, m.text);
  assert.match(m.text, /^fazhi_alert_write_failures_total 0$/m);
});

test('rule state survives a restart: the next overload counts the earlier ones', async () => {
  await h.restart();
  leader = await h.login('leader.330700');
  yiwu = await h.login('leader.330782');
  await weigh(5, h.now() - 20 * DAY);
  const b = await until(async () => { const [x] = await mine(); return x && x.evidence === 4 ? x : null; });
  assert.equal(b.level, 'red');
  assert.ok(b.summary.some((s) => s.includes('近一年超限 5 次')), JSON.stringify(b.summary));
});

test('region scope: another district neither lists nor reads the alert', async () => {
  const [a] = await mine();
  assert.equal(a.region.slice(0, 6), '330702');
  assert.equal((await mine(yiwu)).length, 0);
  const r = await h.api('GET', `/api/v1/alerts/${a.id}`, { token: yiwu });
  assert.equal(r.status, 404);
  const bad = await h.api('GET', '/api/v1/alerts?level=purple', { token: leader });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'level');
});

test('acknowledge, then dismiss with a reason: counted as a false positive of the rule', async () => {
  const [a] = await mine();
  let r = await h.api('POST', `/api/v1/alerts/${a.id}/acknowledge`, { token: leader });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'acknowledged');
  r = await h.api('POST', `/api/v1/alerts/${a.id}/acknowledge`, { token: leader });
  assert.equal(r.status, 409);
  r = await h.api('POST', `/api/v1/alerts/${a.id}/dismiss`, { token: leader, body: {} });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'reason');
  r = await h.api('POST', `/api/v1/alerts/${a.id}/dismiss`, { token: leader, body: { reason: '称重设备故障，数据无效' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'dismissed');
  assert.equal(r.json.reason, '称重设备故障，数据无效');
  const rules = await h.api('GET', '/api/v1/rules', { token: leader });
  const rule = rules.json.items.find((x) => x.name === 'overload.repeat_offender');
  assert.ok(rule.alerts.false_positives >= 1);
  assert.ok(rule.live.tracked_subjects > 0);
  assert.equal((await mine()).length, 0);
  // an auditor may read but not act, and finds both acts in the audit log
  const aud = await h.login('auditor.330700');
  r = await h.api('POST', `/api/v1/alerts/${a.id}/acknowledge`, { token: aud });
  assert.equal(r.status, 403);
  const log = await h.api('GET', '/api/v1/audit?limit=200', { token: aud });
  assert.equal(log.status, 200, log.text);
  const acts = log.json.items.filter((e) => e.object_type === 'alert' && e.object_id === String(a.id));
  assert.deepEqual(acts.map((e) => e.action).sort(), ['alert.acknowledge', 'alert.dismiss']);
  assert.ok(acts.some((e) => e.summary.includes('称重设备故障')), JSON.stringify(acts));
});

test('a red dispute alert becomes a dispute case through the case engine', async () => {
  const r = await h.api('GET', '/api/v1/alerts?rule=dispute.person_level&level=red&open=1', { token: leader });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.length > 0);
  const a = r.json.items[0];
  assert.match(a.subject, /\*/); // id numbers masked
  const c = await h.api('POST', `/api/v1/alerts/${a.id}/case`, { token: leader });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.status, 'case');
  assert.match(c.json.case_code, /./);
  const k = await h.api('GET', `/api/v1/cases/${c.json.case_code}`, { token: leader });
  assert.equal(k.status, 200, k.text);
  assert.equal(k.json.type, 'dispute');
  const again = await h.api('POST', `/api/v1/alerts/${a.id}/case`, { token: leader });
  assert.equal(again.status, 409);
});

test('the demo truck\'s red alert becomes an overload case with the 15-day appearance clock ahead', async () => {
  const r = await h.api('GET', '/api/v1/alerts?level=red&rule=overload.repeat_offender&open=1', { token: leader });
  const a = r.json.items.find((x) => x.summary.some((t) => t.includes('近一年超限 56 次')));
  assert.ok(a, r.text);
  const c = await h.api('POST', `/api/v1/alerts/${a.id}/case`, { token: leader });
  assert.equal(c.status, 201, c.text);
  assert.match(c.json.case_code, /^ZC/);
  const k = await h.api('GET', `/api/v1/cases/${c.json.case_code}`, { token: leader });
  assert.equal(k.status, 200, k.text);
  assert.equal(k.json.type, 'overload');
  assert.equal(k.json.fields.plate, a.subject);
  assert.equal(k.json.fields.violations, 56);
  assert.match(k.json.fields.summary, /近一年超限 56 次/);
  assert.equal(k.json.state.name, 'registered');
});

test('an overloaded plate weighed without coordinates is alerted to the city, not to a district', async () => {
  const plate = '浙G9Q3P5';
  for (let n = 0; n < 4; n++) {
    const r = await h.api('POST', '/api/v1/records', {
      raw: JSON.stringify({
        type: 'overload.weighing', id: `nowhere-${n}`, station: 'JH-TEST-09', at: iso(Date.parse('2026-02-01T16:00:00Z') + n * DAY),
        plate, axles: 2, vehicle_kind: 'truck', gross_kg: 30000, speed_kmh: 40, lane: 1, photo_ref: `q${n}.jpg`,
      }),
      headers: { 'content-type': 'application/json', 'x-source-key': key },
    });
    assert.equal(r.status, 200, r.text);
  }
  const find = async (token) => {
    const r = await h.api('GET', '/api/v1/alerts?rule=overload.repeat_offender&open=1&limit=200', { token });
    return r.json.items.find((a) => a.subject === plate);
  };
  // the sink sees the records after the 2xx: wait for the fourth
  const a = await until(async () => { const x = await find(leader); return x?.level === 'red' && x; });
  assert.equal(a.region, '330700');
  assert.equal(await find(yiwu), undefined);
});

test('family alerts (records without a place) are scoped by the region the id number encodes', async () => {
  const r = await h.api('GET', '/api/v1/alerts?rule=family.person_risk', { token: leader });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.length >= 1, r.text);
  const a = r.json.items[0];
  assert.match(a.region, /^3307\d\d$/);
  const d = await h.api('GET', `/api/v1/alerts/${a.id}`, { token: leader });
  assert.ok(d.json.explanation.contributions.every((c) => /条，按时间衰减后计 [\d.]+ 分$/.test(c.text)),
    JSON.stringify(d.json.explanation.contributions));
  const other = a.region === '330782' ? 'leader.330702' : 'leader.330782';
  const o = await h.api('GET', `/api/v1/alerts/${a.id}`, { token: await h.login(other) });
  assert.equal(o.status, 404);
});

test('a backtest of an edited rule reports what it would have raised, live alerts untouched', async () => {
  const before = await h.api('GET', '/api/v1/alerts?rule=overload.repeat_offender&limit=200', { token: leader });
  const rule = (await h.api('GET', '/api/v1/rules/overload.repeat_offender', { token: leader })).json;
  const edited = structuredClone(rule.definition);
  edited.params.red_count = 40; // only the demo truck's 56 overloads stay above
  edited.params.red_gross_kg = 1000000;
  const run = async (definition) => {
    const r = await h.api('POST', '/api/v1/backtests', {
      token: leader,
      body: { rule: 'overload.repeat_offender', definition, since: h.now() - 400 * DAY, until: h.now() + 1 },
    });
    assert.equal(r.status, 202, r.text);
    return until(async () => {
      const s = await h.api('GET', `/api/v1/backtests/${r.json.id}`, { token: leader });
      assert.equal(s.status, 200, s.text);
      return s.json.state === 'done' ? s.json : null;
    });
  };
  const base = await run(undefined);
  const strict = await run(edited);
  assert.ok(base.records > 10000, String(base.records));
  assert.equal(strict.progress, 1);
  assert.equal(strict.red, 1);
  assert.ok(base.red > strict.red);
  assert.match(strict.results[0].explanation.contributions[0].text, /近一年超限 56 次，超过 40 次/);
  const after = await h.api('GET', '/api/v1/alerts?rule=overload.repeat_offender&limit=200', { token: leader });
  assert.deepEqual(after.json.items.map((x) => [x.id, x.level, x.evidence]),
    before.json.items.map((x) => [x.id, x.level, x.evidence]));
  // a broken edit is refused naming the pointer
  const bad = await h.api('POST', '/api/v1/backtests', {
    token: leader,
    body: { rule: 'overload.repeat_offender', definition: { ...edited, filter: 'gross_kg >' }, since: 0, until: 1 },
  });
  assert.equal(bad.status, 400, bad.text);
  assert.match(bad.json.detail || bad.text, /\/filter/);
  // a handler may not run backtests
  const handler = await h.login('handler.330702');
  const r = await h.api('POST', '/api/v1/backtests', { token: handler, body: { rule: 'x', since: 0, until: 1 } });
  assert.equal(r.status, 403);
});
