// Community corrections through the real binary: a person is put under
// electronic supervision (ID masked, routed to the township's justice
// office), pings arrive as correction.ping records, leaving the county
// raises a violation with the suggested sanction and its basis, jitter and
// replayed pings raise nothing, silence becomes lost contact and a passed
// check-in window a missed check-in on the injected clock by the scheduler
// pass (no record needed), violations become alerts of the justice office in
// the alert centre, the office's sanction decisions (not suggestions) move
// the ladder, approved leave opens the county only around its destination,
// and location orders longer than three months are refused with the basis.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi, eventually, T0 } from '../lib/fazhi.mjs';

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (b) => b + '10X98765432'[[...b].reduce((s, c, i) => s + Number(c) * W[i], 0) % 11];

let h, admin, grid, key;
const HOME = [119.647, 29.079]; // 婺城区
before(async () => {
  h = await startFazhi({ args: ['--scheduler-interval', '50', '--session-ttl', '31536000'] });
  admin = await h.login('admin.330700');
  grid = await h.login('grid.330782001');
  const s = await h.api('POST', '/api/v1/sources', {
    token: admin, body: { name: 'jz-test', title: '测试用矫正终端', types: ['correction.ping', 'correction.checkin'] },
  });
  assert.equal(s.status, 201, s.text);
  key = s.json.key;
});
after(async () => { await h.stop(); });

const records = (rows) => h.api('POST', '/api/v1/records', {
  raw: rows.map((r) => JSON.stringify(r)).join('\n'),
  headers: { 'content-type': 'application/x-ndjson', 'x-source-key': key },
});
let seq = 0;
const ping = (device, t, [lon, lat], extra = {}) =>
  ({ type: 'correction.ping', id: `p${++seq}`, device, at: new Date(t).toISOString(), lon, lat, ...extra });
// Sinks see records after POST /records returns: wait until the sink caught up.
const count = async (kind) => (await violations()).filter((x) => x.kind === kind).length;
function settle(kind, n) {
  return eventually(async () => (await count(kind)) >= n, `${n} ${kind} violations`, { every: 100 });
}
// A failed check-in after a batch: once it is seen, everything before it was evaluated.
let marks = 0;
async function marker(t) {
  const before = await count('checkin_failed');
  await records([{ type: 'correction.checkin', id: `m${++marks}`, device: 'TEST-0001', at: new Date(t).toISOString(), score: 0.3, lon: 120.16, lat: 30.27 }]);
  await settle('checkin_failed', before + 1);
}
const violations = async (token = admin) => (await h.api('GET', '/api/v1/correction/violations?person_id=SQJZ-TEST-001&limit=200', { token })).json.items;
const alerts = async (token, kind) =>
  (await h.api('GET', `/api/v1/alerts?rule=correction.${kind}`, { token })).json.items.filter((a) => a.subject === 'SQJZ-TEST-001');

test('the demo day has every kind of violation', async () => {
  for (const k of ['out_of_area', 'curfew', 'lost_contact', 'checkin_failed', 'prohibited_place']) {
    const demo = (await h.api('GET', `/api/v1/correction/violations?kind=${k}&limit=1`, { token: admin })).json.items;
    assert.equal(demo[0]?.kind, k, `the demo day has a ${k}`);
  }
});

test('a person is supervised by the justice office of their township, ID masked', async () => {
  const r = await h.api('POST', '/api/v1/correction/people', {
    token: admin,
    body: { id: 'SQJZ-TEST-001', name: '张某', id_number: idNumber('33070219850612123'), township: '330702001',
      device: 'TEST-0001', home: HOME, prohibited: [{ id: 'ktv', center: [119.70, 29.10], radius_m: 100 }] },
  });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.id_number, /^3307\*+\d{3}[\dX]$/);
  assert.equal(r.json.monitoring.state, 'none', 'no location order yet');
  // the electronic-location order switches monitoring on
  const o = await h.api('POST', '/api/v1/correction/orders', { token: admin,
    body: { person_id: 'SQJZ-TEST-001', approved_by: '婺城区司法局局长', start: T0 - 3600e3, end: T0 + 80 * 86400e3 } });
  assert.equal(o.status, 201, o.text);
  const unknown = await h.api('POST', '/api/v1/correction/orders', { token: admin,
    body: { person_id: 'SQJZ-NOBODY', approved_by: '婺城区司法局局长', start: T0, end: T0 + 86400e3 } });
  assert.equal(unknown.status, 404);
  assert.ok(r.json.office_unit_id > 0);
  const unit = await h.api('GET', `/api/v1/units/${r.json.office_unit_id}`, { token: admin });
  assert.equal(unit.json.kind, 'justice_office');
  assert.equal(unit.json.region.code, '330702001');
  const dup = await h.api('POST', '/api/v1/correction/people', {
    token: admin,
    body: { id: 'SQJZ-TEST-002', name: '李某', id_number: idNumber('33070219850612123'), township: '330702001', device: 'TEST-0001', home: HOME },
  });
  assert.equal(dup.status, 409);
  const bad = await h.api('POST', '/api/v1/correction/people', {
    token: admin, body: { id: 'x', name: 'x', id_number: '330702198506121230', township: '330702001', device: 'TEST-9', home: HOME },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'id_number');
  // out of scope: a grid worker of 义乌 cannot register in 婺城区, nor see the person
  const far = await h.api('POST', '/api/v1/correction/people', {
    token: grid, body: { id: 'y', name: 'y', id_number: idNumber('33070219850612123'), township: '330702001', device: 'TEST-8', home: HOME },
  });
  assert.equal(far.status, 403);
  const seen = (await h.api('GET', '/api/v1/correction/people', { token: grid })).json.items;
  assert.ok(seen.length > 0, 'the demo supervises people in 义乌 too');
  assert.ok(seen.every((p) => p.township.code.startsWith('330782')), 'only 义乌市 people');
});

test('leaving the county raises one violation with the suggested sanction; jitter and replays raise nothing', async () => {
  const t = T0 + 3600e3; // 2026-03-02 10:00 Beijing
  const rows = [];
  for (let i = 0; i < 20; i++) rows.push(ping('TEST-0001', t + i * 30e3, [HOME[0] + (i % 2 ? 1e-4 : -1e-4), HOME[1]]));
  // 30 minutes in 义乌, a ping every 30 s
  for (let i = 0; i < 60; i++) rows.push(ping('TEST-0001', t + 600e3 + i * 30e3, [120.07, 29.30]));
  const r = await records(rows);
  assert.equal(r.status, 200, r.text);
  await settle('out_of_area', 1);
  // a replay of the first pings and an out-of-order one far away change nothing
  await records([ping('TEST-0001', t, [121.5, 31.2]), ping('TEST-0001', t + 30e3, [121.5, 31.2])]);
  await marker(t + 600e3 + 60 * 30e3);
  const v = await violations();
  const out = v.filter((x) => x.kind === 'out_of_area');
  assert.equal(out.length, 1, JSON.stringify(v));
  assert.equal(out[0].person_id, 'SQJZ-TEST-001');
  assert.equal(out[0].suggested.title, '训诫');
  assert.match(out[0].suggested.basis, /实施办法/);
  assert.ok(out[0].at - out[0].since >= 600e3, 'after the county dwell');
  // the violation is an alert of the person's justice office in the alert centre
  const office = await h.login('handler.330702001');
  const [al] = await alerts(office, 'out_of_area');
  assert.ok(al, 'the office sees the alert');
  assert.equal(al.level, 'yellow');
  assert.equal(al.status, 'new');
  assert.equal(al.region, '330702001');
  const detail = (await h.api('GET', `/api/v1/alerts/${al.id}`, { token: office })).json;
  assert.match(detail.explanation.contributions[0].basis, /第二十七条/);
  assert.equal(detail.explanation.suggested.title, '训诫');
  assert.match(detail.explanation.contributions[1].text, /训诫/);
  assert.equal((await alerts(grid, 'out_of_area')).length, 0, '义乌 does not see it');
});

test('the office decides sanctions: recorded with who and when, audited, and the ladder counts decisions, not suggestions', async () => {
  const office = await h.login('handler.330702001');
  const [v] = (await violations()).filter((x) => x.kind === 'out_of_area');
  // an unknown sanction, someone out of scope, another person's violation: refused
  const bad = await h.api('POST', '/api/v1/correction/sanctions', { token: office, body: { person_id: 'SQJZ-TEST-001', sanction: 'fine' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'sanction');
  const yiwu = await h.login('handler.330782001');
  const far = await h.api('POST', '/api/v1/correction/sanctions', { token: yiwu, body: { person_id: 'SQJZ-TEST-001', sanction: 'admonition' } });
  assert.equal(far.status, 404);
  const other = (await h.api('GET', '/api/v1/correction/violations', { token: admin })).json.items.find((x) => x.person_id !== 'SQJZ-TEST-001');
  const wrong = await h.api('POST', '/api/v1/correction/sanctions', { token: office, body: { person_id: 'SQJZ-TEST-001', sanction: 'admonition', violation_id: other.id } });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.field, 'violation_id');
  assert.equal((await h.api('GET', '/api/v1/correction/sanctions?person_id=SQJZ-TEST-001', { token: office })).json.items.length, 0);
  for (let i = 0; i < 2; i++) {
    const d = await h.api('POST', '/api/v1/correction/sanctions', { token: office,
      body: { person_id: 'SQJZ-TEST-001', sanction: 'admonition', violation_id: v.id, note: '擅自离开婺城区，予以训诫' } });
    assert.equal(d.status, 201, d.text);
    assert.equal(d.json.title, '训诫');
    assert.equal(d.json.decided_by, 'handler.330702001');
    assert.equal(d.json.decided_at, T0);
  }
  const list = (await h.api('GET', '/api/v1/correction/sanctions?person_id=SQJZ-TEST-001', { token: office })).json.items;
  assert.equal(list.length, 2);
  const auditor = await h.login('auditor.330700');
  const audit = (await h.api('GET', '/api/v1/audit?action=correction.sanction', { token: auditor })).json.items;
  assert.equal(audit.length, 2, JSON.stringify(audit[0]));
  assert.equal(audit[0].actor.username, 'handler.330702001');
  assert.match(audit[0].summary, /训诫/);
  // after two decided admonitions the next out-of-area episode suggests a warning
  const t = T0 + 2 * 3600e3; // 12:00 Beijing, after the first trip
  const rows = [];
  for (let i = 0; i < 30; i++) rows.push(ping('TEST-0001', t + i * 30e3, HOME));
  for (let i = 0; i < 30; i++) rows.push(ping('TEST-0001', t + 900e3 + i * 30e3, [120.07, 29.30]));
  assert.equal((await records(rows)).status, 200);
  await settle('out_of_area', 2);
  const [latest] = (await violations()).filter((x) => x.kind === 'out_of_area');
  assert.equal(latest.suggested.title, '警告');
  // one open alert per person and kind: the second episode updates it
  const open = await alerts(office, 'out_of_area');
  assert.equal(open.length, 1);
  assert.equal(open[0].evidence, 2);
  // the alert centre's lifecycle: acknowledged by the office
  const ack = await h.api('POST', `/api/v1/alerts/${open[0].id}/acknowledge`, { token: office });
  assert.equal(ack.status, 200, ack.text);
  assert.equal(ack.json.status, 'acknowledged');
});

test('a failed face check-in and silence are violations; a ping from an unknown device is quarantined', async () => {
  const t = T0 + 3 * 3600e3;
  const c = await records([{ type: 'correction.checkin', id: 'c1', device: 'TEST-0001', at: new Date(t).toISOString(), score: 0.41, lon: HOME[0], lat: HOME[1] },
    ping('TEST-UNKNOWN', t + 1000, HOME)]);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.accepted, 1, c.text);
  assert.equal(c.json.quarantined, 1, c.text);
  const q = c.json.issues.find((x) => x.status === 'quarantined');
  assert.ok(q.reasons.some((r) => r.field === 'device' && /TEST-UNKNOWN/.test(r.message)), JSON.stringify(q));
  await settle('checkin_failed', 2);
  let v = await violations();
  assert.ok(v.some((x) => x.kind === 'checkin_failed' && /0\.41/.test(x.detail)), JSON.stringify(v[0]));
  assert.ok(!v.some((x) => x.person_id !== 'SQJZ-TEST-001'));
});

test('silence becomes lost contact on time, and a passed check-in window a missed check-in, with no further record', async () => {
  const t = T0 + 3 * 3600e3; // the last position: the failed check-in above
  h.setNow(t + 59 * 60e3);
  await new Promise((r) => setTimeout(r, 500)); // ten scheduler passes
  assert.equal(await count('lost_contact'), 0, 'not before an hour');
  h.setNow(t + 61 * 60e3); // no record, no list needed: the scheduler pass raises it
  const office = await h.login('handler.330702001');
  const [al] = await eventually(async () => {
    const a = await alerts(office, 'lost_contact');
    return a.length && a;
  }, 'lost contact in the alert centre', { every: 100 });
  assert.equal(al.level, 'red');
  const lost = (await violations()).filter((x) => x.kind === 'lost_contact');
  assert.equal(lost.length, 1);
  assert.match(lost[0].suggested.title, /警告/);
  h.setNow(t + 3 * 3600e3);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await count('lost_contact'), 1, 'once per silence');
  // registered at T0 with no successful check-in since: the 24 h window passes at T0 + 24 h
  assert.equal(await count('checkin_missed'), 0);
  h.setNow(T0 + 24 * 3600e3 + 60e3);
  await settle('checkin_missed', 1);
  const dismiss = await h.api('POST', `/api/v1/alerts/${al.id}/dismiss`, { token: office, body: { reason: '设备没电，已电话联系本人' } });
  assert.equal(dismiss.status, 200, dismiss.text);
});

test('monitoring follows the location orders: none before an order, on during it, off after it expires', async () => {
  const N = T0 + 24 * 3600e3 + 60e3; // the clock after the test above
  const r = await h.api('POST', '/api/v1/correction/people', { token: admin,
    body: { id: 'SQJZ-TEST-002', name: '王某', id_number: idNumber('33070219900101123'), township: '330702001', device: 'TEST-0002', home: HOME } });
  assert.equal(r.status, 201, r.text);
  const mine = async () => (await h.api('GET', '/api/v1/correction/violations?person_id=SQJZ-TEST-002', { token: admin })).json.items;
  const trip = (from, n, where) => Array.from({ length: n }, (_, i) => ping('TEST-0002', from + i * 30e3, where));
  const YIWU = [120.07, 29.30];
  // no order: 30 minutes in 义乌 raise nothing
  assert.equal((await records([...trip(N + 600e3, 60, YIWU), ...trip(N + 50 * 60e3, 40, HOME)])).status, 200);
  await marker(N + 71 * 60e3);
  assert.equal((await mine()).length, 0, 'not monitored without an order');
  // an order for [N + 80 min, N + 3 h): the same trip is a violation
  const o = await h.api('POST', '/api/v1/correction/orders', { token: admin,
    body: { person_id: 'SQJZ-TEST-002', approved_by: '婺城区司法局局长', start: N + 80 * 60e3, end: N + 180 * 60e3 } });
  assert.equal(o.status, 201, o.text);
  assert.equal((await records([...trip(N + 90 * 60e3, 60, YIWU), ...trip(N + 130 * 60e3, 40, HOME)])).status, 200);
  await eventually(async () => (await mine()).length, 'a violation during the order', { every: 100 });
  assert.deepEqual((await mine()).map((v) => v.kind), ['out_of_area']);
  // after it expired: nothing again, not even lost contact
  assert.equal((await records(trip(N + 200 * 60e3, 60, YIWU))).status, 200);
  await marker(N + 231 * 60e3);
  h.setNow(N + 6 * 3600e3);
  await new Promise((res) => setTimeout(res, 300));
  assert.deepEqual((await mine()).map((v) => v.kind), ['out_of_area'], 'not monitored after the order expired');
  const people = (await h.api('GET', '/api/v1/correction/people', { token: admin })).json.items;
  const two = people.find((p) => p.id === 'SQJZ-TEST-002'), one = people.find((p) => p.id === 'SQJZ-TEST-001');
  assert.equal(two.monitoring.state, 'expired');
  assert.equal(two.monitoring.end, N + 180 * 60e3);
  assert.equal(one.monitoring.state, 'active');
});

test('electronic-location orders last at most three months, extensions need a re-assessment', async () => {
  const start = T0, month = (n) => { const d = new Date(start); d.setUTCMonth(d.getUTCMonth() + n); return d.getTime(); };
  const ok = await h.api('POST', '/api/v1/correction/orders', { token: admin, body: { person_id: 'SQJZ-TEST-001', approved_by: '婺城区司法局局长', start, end: month(3) } });
  assert.equal(ok.status, 201, ok.text);
  const long = await h.api('POST', '/api/v1/correction/orders', { token: admin, body: { person_id: 'SQJZ-TEST-001', approved_by: '婺城区司法局局长', start, end: month(4) } });
  assert.equal(long.status, 400);
  assert.equal(long.json.field, 'end');
  assert.match(long.json.detail, /超过 3 个月.*第二十九条/);
  const ext = await h.api('POST', '/api/v1/correction/orders', { token: admin, body: { person_id: 'SQJZ-TEST-001', approved_by: '婺城区司法局局长', start: month(3), end: month(5), previous_end: month(3) } });
  assert.equal(ext.status, 400);
  assert.equal(ext.json.field, 'reassessed_at');
});

test('an approved leave case opens the county for its days; outside them leaving is a violation again', async () => {
  const grid1 = await h.login('grid.330702001');
  const office = await h.login('handler.330702001');
  const r = await h.api('POST', '/api/v1/cases', { token: grid1, body: {
    type: 'correction_leave', region: '330702001',
    fields: { person_id: 'SQJZ-TEST-001', destination: '杭州市西湖区', reason: '探望住院的母亲',
      destination_lon: 120.13, destination_lat: 30.26,
      start_date: '2026-03-04', end_date: '2026-03-04', days: 1 } } });
  assert.equal(r.status, 201, r.text);
  const c = r.json;
  const a = await h.api('POST', `/api/v1/cases/${c.code}/actions/approve`, { token: office,
    body: { version: c.version, fields: { opinion: '同意，按时返回并报告' }, outcome: '批准外出 1 日' } });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.state.name, 'approved');
  let before = (await violations()).filter((x) => x.kind === 'out_of_area').length;
  // 2026-03-04 10:00-12:00 Beijing in Hangzhou: on leave
  const day = Date.UTC(2026, 2, 4, 2, 0, 0);
  h.setNow(day);
  admin = await h.login('admin.330700'); // the day's jump outlived the session
  const rows = [];
  for (let i = 0; i < 240; i++) rows.push(ping('TEST-0001', day + i * 30e3, [120.16, 30.27]));
  assert.equal((await records(rows)).status, 200);
  await marker(day + 240 * 30e3);
  assert.equal((await violations()).filter((x) => x.kind === 'out_of_area').length, before, 'no violation on leave');
  // the leave opens Hangzhou, not everywhere: a detour to Shanghai the same day is out of area
  const detour = [];
  for (let i = 0; i < 40; i++) detour.push(ping('TEST-0001', day + 240 * 30e3 + 1000 + i * 30e3, [121.47, 31.23]));
  for (let i = 0; i < 40; i++) detour.push(ping('TEST-0001', day + 280 * 30e3 + 1000 + i * 30e3, [120.16, 30.27]));
  assert.equal((await records(detour)).status, 200);
  await settle('out_of_area', before + 1);
  await marker(day + 320 * 30e3 + 1000);
  const [sh] = (await violations()).filter((x) => x.kind === 'out_of_area');
  assert.ok(sh.position[0] > 121, 'the violation is in Shanghai');
  before += 1;
  // 2026-03-05, the leave is over: out of area again
  const next = Date.UTC(2026, 2, 5, 2, 0, 0);
  h.setNow(next);
  admin = await h.login('admin.330700');
  const late = [];
  for (let i = 0; i < 60; i++) late.push(ping('TEST-0001', next + i * 30e3, [120.16, 30.27]));
  assert.equal((await records(late)).status, 200);
  await settle('out_of_area', before + 1);
  await marker(next + 60 * 30e3);
  assert.equal((await violations()).filter((x) => x.kind === 'out_of_area').length, before + 1);
});

test('after a restart the orders still monitor and the decided sanctions still count', async () => {
  await h.restart();
  admin = await h.login('admin.330700');
  const people = (await h.api('GET', '/api/v1/correction/people', { token: admin })).json.items;
  assert.equal(people.find((p) => p.id === 'SQJZ-TEST-001').monitoring.state, 'active');
  assert.equal(people.find((p) => p.id === 'SQJZ-TEST-002').monitoring.state, 'expired');
  // two admonitions were decided before the restart: the next trip suggests a warning
  const t = Date.UTC(2026, 2, 5, 6, 0, 0);
  h.setNow(t);
  admin = await h.login('admin.330700');
  const before = await count('out_of_area');
  const rows = [];
  for (let i = 0; i < 30; i++) rows.push(ping('TEST-0001', t + i * 30e3, HOME));
  for (let i = 0; i < 30; i++) rows.push(ping('TEST-0001', t + 900e3 + i * 30e3, [120.07, 29.30]));
  assert.equal((await records(rows)).status, 200);
  await settle('out_of_area', before + 1);
  const [latest] = (await violations()).filter((x) => x.kind === 'out_of_area');
  assert.equal(latest.suggested.title, '警告', JSON.stringify(latest));
});
