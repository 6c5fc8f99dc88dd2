// Community corrections through the real binary: a person is put under
// electronic supervision (ID masked, routed to the township's justice
// office), pings arrive as correction.ping records, leaving the county
// raises a violation with the suggested sanction and its basis, jitter and
// replayed pings raise nothing, silence becomes lost contact on the injected
// clock, a failed face check-in is a violation, and location orders longer
// than three months are refused with the basis.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi, T0 } from '../lib/fazhi.mjs';

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (b) => b + '10X98765432'[[...b].reduce((s, c, i) => s + Number(c) * W[i], 0) % 11];

let h, admin, grid, key;
const HOME = [119.647, 29.079]; // 婺城区
before(async () => {
  h = await startFazhi();
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
async function settle(kind, n) {
  for (let i = 0; i < 100; i++) {
    if ((await count(kind)) >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no ${n} ${kind} violations after 10 s`);
}
// A failed check-in after a batch: once it is seen, everything before it was evaluated.
let marks = 0;
async function marker(t) {
  const before = await count('checkin_failed');
  await records([{ type: 'correction.checkin', id: `m${++marks}`, device: 'TEST-0001', at: new Date(t).toISOString(), score: 0.3, lon: 120.16, lat: 30.27 }]);
  await settle('checkin_failed', before + 1);
}
const violations = async (token = admin) => (await h.api('GET', '/api/v1/correction/violations?person_id=SQJZ-TEST-001', { token })).json.items;

test('a person is supervised by the justice office of their township, ID masked', async () => {
  const r = await h.api('POST', '/api/v1/correction/people', {
    token: admin,
    body: { id: 'SQJZ-TEST-001', name: '张某', id_number: idNumber('33070219850612123'), township: '330702001',
      device: 'TEST-0001', home: HOME, prohibited: [{ id: 'ktv', center: [119.70, 29.10], radius_m: 100 }] },
  });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.id_number, /^3307\*+\d{3}[\dX]$/);
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
});

test('a failed face check-in and silence are violations; unknown devices raise none', async () => {
  const t = T0 + 3 * 3600e3;
  const c = await records([{ type: 'correction.checkin', id: 'c1', device: 'TEST-0001', at: new Date(t).toISOString(), score: 0.41, lon: HOME[0], lat: HOME[1] },
    ping('TEST-UNKNOWN', t + 1000, HOME)]);
  assert.equal(c.status, 200, c.text);
  await settle('checkin_failed', 2);
  let v = await violations();
  assert.ok(v.some((x) => x.kind === 'checkin_failed' && /0\.41/.test(x.detail)), JSON.stringify(v[0]));
  assert.ok(!v.some((x) => x.person_id !== 'SQJZ-TEST-001'));
  const demo = (await h.api('GET', '/api/v1/correction/violations', { token: admin })).json.items;
  for (const k of ['out_of_area', 'curfew', 'lost_contact', 'checkin_failed', 'prohibited_place'])
    assert.ok(demo.some((x) => x.kind === k), `the demo day has a ${k}`);
  h.setNow(t + 2 * 3600e3);
  v = await violations();
  const lost = v.filter((x) => x.kind === 'lost_contact');
  assert.equal(lost.length, 1);
  assert.match(lost[0].suggested.title, /警告|提请撤销/);
  assert.equal((await violations()).filter((x) => x.kind === 'lost_contact').length, 1, 'once');
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
      start_date: '2026-03-04', end_date: '2026-03-04', days: 1 } } });
  assert.equal(r.status, 201, r.text);
  const c = r.json;
  const a = await h.api('POST', `/api/v1/cases/${c.code}/actions/approve`, { token: office,
    body: { version: c.version, fields: { opinion: '同意，按时返回并报告' }, outcome: '批准外出 1 日' } });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.state.name, 'approved');
  const before = (await violations()).filter((x) => x.kind === 'out_of_area').length;
  // 2026-03-04 10:00-12:00 Beijing in Hangzhou: on leave
  const day = Date.UTC(2026, 2, 4, 2, 0, 0);
  h.setNow(day);
  admin = await h.login('admin.330700'); // the day's jump outlived the session
  const rows = [];
  for (let i = 0; i < 240; i++) rows.push(ping('TEST-0001', day + i * 30e3, [120.16, 30.27]));
  assert.equal((await records(rows)).status, 200);
  await marker(day + 240 * 30e3);
  assert.equal((await violations()).filter((x) => x.kind === 'out_of_area').length, before, 'no violation on leave');
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
