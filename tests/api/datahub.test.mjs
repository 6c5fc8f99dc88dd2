// The data hub over HTTP: sources and their keys, records in as JSON,
// NDJSON and CSV, idempotent replays, the quarantine (fix and resubmit,
// discard), subjects with masked identifiers and audited unmasking, region
// scope, and durability: what got a 2xx survives kill -9.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi } from '../lib/fazhi.mjs';

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (body17) =>
  body17 + '10X98765432'[[...body17].reduce((s, c, i) => s + Number(c) * W[i], 0) % 11];
const PERSON = idNumber('33070219850612123'); // 婺城区, 1985-06-12
const OTHER = idNumber('33078219900307124');

let h, admin, yiwu, wucheng, key;
before(async () => {
  h = await startFazhi();
  admin = await h.login('admin.330700');
  yiwu = await h.login('admin.330782');
  wucheng = await h.login('admin.330702');
  const r = await h.api('POST', '/api/v1/sources', {
    token: admin,
    body: { name: 'test-wim', title: '交通运输局动态称重', types: ['overload.weighing'] },
  });
  assert.equal(r.status, 201, r.text);
  key = r.json.key;
});
after(async () => { await h.stop(); });

const post = (body, { type = 'application/x-ndjson', query = '', k = key } = {}) =>
  h.api('POST', `/api/v1/records${query}`, {
    raw: body,
    headers: { 'content-type': type, ...(k ? { 'x-source-key': k } : {}) },
  });

const weighing = (id, over = {}) => ({
  type: 'overload.weighing', id, station: 'JH-WC-01', at: '2026-03-01T02:30:00+08:00',
  plate: '浙G·7L3X5', axles: 6, vehicle_kind: 'combination', gross_kg: 104500,
  speed_kmh: 61.5, lane: 2, photo_ref: `p-${id}.jpg`, lon: 119.62, lat: 29.09, ...over,
});
const ndjson = (rows) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

test('a source is registered with a key shown once; the list shows its prefix only', async () => {
  assert.match(key, /^fzs_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
  const list = await h.api('GET', '/api/v1/sources', { token: admin });
  assert.equal(list.status, 200, list.text);
  const s = list.json.items.find((x) => x.name === 'test-wim');
  assert.equal(s.key_prefix, key.slice(0, 12));
  assert.equal(s.key, undefined);
  assert.equal(s.status, 'active');
  // a district admin is refused: sources are city-wide
  const r = await h.api('GET', '/api/v1/sources', { token: wucheng });
  assert.equal(r.status, 403, r.text);
  const dup = await h.api('POST', '/api/v1/sources', {
    token: admin, body: { name: 'test-wim', title: 'x', types: ['overload.weighing'] },
  });
  assert.equal(dup.status, 409);
  const bad = await h.api('POST', '/api/v1/sources', {
    token: admin, body: { name: 'x-1', title: 'x', types: ['overload.nope'] },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'types');
});

test('records need a valid source key', async () => {
  let r = await post(ndjson([weighing('k1')]), { k: null });
  assert.equal(r.status, 401, r.text);
  assert.equal(r.json.field, 'X-Source-Key');
  r = await post(ndjson([weighing('k1')]), { k: key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A') });
  assert.equal(r.status, 401);
  r = await post('a,b\n1,2', { type: 'text/plain' });
  assert.equal(r.status, 415);
});

test('an NDJSON batch: good lines stored, bad ones quarantined with every reason; a replay adds nothing', async () => {
  const rows = [
    weighing('w-1'),
    weighing('w-2', { at: '2026-03-01 03:10:00' }),
    weighing('w-3', { plate: '浙G1234', axles: 11 }), // two reasons
    '{"id": "w-4", "type": "overload.weighing", ', // not JSON: kept as text
    weighing('w-5', { gross_kg: '很重' }),
    weighing('w-6', { vehicle_kind: 'tractor' }),
  ];
  const r = await post(ndjson(rows));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.lines, 6);
  assert.equal(r.json.accepted, 2);
  assert.equal(r.json.quarantined, 4);
  const w3 = r.json.issues.find((i) => i.external_id === 'w-3');
  assert.equal(w3.line, 3);
  assert.deepEqual(w3.reasons.map((x) => x.field).sort(), ['axles', 'plate']);
  assert.match(w3.reasons.find((x) => x.field === 'axles').message, /轴数.*11.*2 到 8/);
  const w4 = r.json.issues.find((i) => i.line === 4);
  assert.equal(w4.reasons[0].code, 'line.malformed_json');

  const again = await post(ndjson(rows));
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.accepted, 0);
  assert.equal(again.json.duplicates, 2);
  assert.equal(again.json.quarantined, 4);
  assert.deepEqual(new Set(again.json.issues.filter((i) => i.status !== 'duplicate').map((i) => i.status)),
    new Set(['already_quarantined']));

  const s = await h.api('GET', '/api/v1/sources/test-wim', { token: admin });
  assert.equal(s.json.stats.records_today, 2);
  assert.equal(s.json.stats.duplicates_today, 2);
  assert.equal(s.json.stats.quarantined_today, 4);
  assert.match(s.json.last_error, /第 3 行/);
  assert.ok(s.json.last_received_at);
  const q = await h.api('GET', '/api/v1/quarantine?source=test-wim&status=open', { token: admin });
  assert.equal(q.json.items.length, 4); // the replay did not store them twice
});

test('CSV with ?type=, quoted fields, and a row with the wrong field count', async () => {
  const csv = [
    'id,station,at,plate,axles,vehicle_kind,gross_kg,speed_kmh,lane,photo_ref,lon,lat',
    'c-1,JH-WC-01,2026-03-01 01:00:00,浙G7L3X5,6,combination,98000,55,1,"p,1.jpg",119.62,29.09',
    'c-2,JH-WC-01,2026-03-01 01:05:00,浙G7L3X5,6,combination,51000,55,1,p2.jpg,,',
    'c-3,JH-WC-01,2026-03-01 01:06:00,浙G7L3X5,6',
  ].join('\r\n');
  const r = await post(csv, { type: 'text/csv', query: '?type=overload.weighing' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.accepted, 2);
  assert.equal(r.json.quarantined, 1);
  assert.equal(r.json.issues[0].line, 4);
  assert.equal(r.json.issues[0].reasons[0].code, 'csv.field_count');
});

test('the quarantine: open a row, fix a field, resubmit; it becomes a record; discard keeps the row', async () => {
  const list = await h.api('GET', '/api/v1/quarantine?type=overload.weighing&status=open', { token: admin });
  const row = list.json.items.find((x) => x.external_id === 'w-5');
  const one = await h.api('GET', `/api/v1/quarantine/${row.id}`, { token: admin });
  assert.equal(one.status, 200);
  assert.equal(one.json.reasons[0].field, 'gross_kg');
  assert.equal(one.json.record.gross_kg, '很重');

  // still wrong: stays open with the new reason
  let fix = { ...one.json.record, gross_kg: '-5' };
  let r = await h.api('PUT', `/api/v1/quarantine/${row.id}`, { token: admin, body: { record: fix } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'open');
  assert.match(r.json.reasons[0].message, /过小|范围/);

  fix = { ...one.json.record, gross_kg: 101000 };
  r = await h.api('PUT', `/api/v1/quarantine/${row.id}`, { token: admin, body: { record: fix } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'resubmitted');
  assert.equal(r.json.handled_by, 'admin.330700');
  assert.ok(r.json.record_id > 0);
  r = await h.api('PUT', `/api/v1/quarantine/${row.id}`, { token: admin, body: { record: fix } });
  assert.equal(r.status, 409);

  const w6 = list.json.items.find((x) => x.external_id === 'w-6');
  r = await h.api('POST', `/api/v1/quarantine/${w6.id}/discard`, { token: admin, body: { reason: '' } });
  assert.equal(r.status, 400);
  r = await h.api('POST', `/api/v1/quarantine/${w6.id}/discard`, { token: admin, body: { reason: '设备测试数据' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'discarded');
  assert.equal(r.json.note, '设备测试数据');
  const counts = await h.api('GET', '/api/v1/quarantine/counts', { token: admin });
  assert.ok(counts.json.items.some((c) => c.source === 'test-wim' && c.quarantined >= 5));
});

test('a vehicle subject lists its records from every source; district scope applies', async () => {
  const s = await h.api('GET', `/api/v1/subjects?q=${encodeURIComponent('浙g7l3x5')}`, { token: admin });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.items.length, 1);
  const v = s.json.items[0];
  assert.equal(v.kind, 'vehicle');
  assert.equal(v.key, '浙G7L3X5');
  const page = await h.api('GET', `/api/v1/subjects/${v.id}`, { token: admin });
  assert.equal(page.status, 200, page.text);
  // w-1, w-2, c-1, c-2 and the resubmitted w-5
  assert.deepEqual(page.json.records.items.map((x) => x.external_id).sort(), ['c-1', 'c-2', 'w-1', 'w-2', 'w-5']);
  const w2 = page.json.records.items.find((x) => x.external_id === 'w-2');
  assert.equal(w2.at, '2026-02-28T19:10:00.000Z'); // 03:10 Beijing time
  assert.match(w2.region, /^330702\d{6}$/); // located to the village or community
  assert.equal(w2.fields.gross_kg, 104500);
  // so the township's own staff see it, and a neighbouring township's do not
  const township = w2.region.slice(0, 9);
  const mine = await h.api('GET', `/api/v1/subjects/${v.id}`, { token: await h.login(`grid.${township}`) });
  assert.ok(mine.json.records.items.some((x) => x.external_id === 'w-2'), mine.text);
  const other = township === '330702001' ? '330702002' : '330702001';
  const theirs = await h.api('GET', `/api/v1/subjects/${v.id}`, { token: await h.login(`grid.${other}`) });
  assert.ok(!(theirs.json.records?.items ?? []).some((x) => x.external_id === 'w-2'), theirs.text);
  // 婺城区's admin sees the located ones; 义乌's sees none of them
  const wc = await h.api('GET', `/api/v1/subjects/${v.id}`, { token: wucheng });
  assert.deepEqual(wc.json.records.items.map((x) => x.external_id).sort(), ['c-1', 'w-1', 'w-2', 'w-5']);
  const yw = await h.api('GET', `/api/v1/subjects/${v.id}`, { token: yiwu });
  assert.equal(yw.status, 404);
});

test('a person: identifiers masked by default, unmasked only with a stated purpose, which is audited', async () => {
  const src = await h.api('POST', '/api/v1/sources', {
    token: admin, body: { name: 'test-110', title: '公安 110', types: ['family.police', 'dispute.call'] },
  });
  assert.equal(src.status, 201, src.text);
  const rec = {
    id: 'f-1', person_id: PERSON, item: 'warning_letter', at: '2026-02-20T10:00:00+08:00',
    counterpart_id: OTHER, detail: '出具家庭暴力告诫书',
  };
  let r = await post(JSON.stringify(rec), { type: 'application/json', query: '?type=family.police', k: src.json.key });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.accepted, 1);
  // the weighing source may not send family records
  r = await post(JSON.stringify(rec), { type: 'application/json', query: '?type=family.police' });
  assert.equal(r.json.quarantined, 1);
  assert.equal(r.json.issues[0].reasons[0].code, 'type.not_allowed');

  const masked = `${PERSON.slice(0, 4)}**********${PERSON.slice(-4)}`;
  const s = await h.api('GET', `/api/v1/subjects?q=${encodeURIComponent(masked)}`, { token: admin });
  assert.equal(s.status, 200, s.text);
  const p = s.json.items.find((x) => x.kind === 'person');
  assert.equal(p.key, masked);
  assert.equal(p.masked, true);
  const page = await h.api('GET', `/api/v1/subjects/${p.id}`, { token: admin });
  const f = page.json.records.items[0];
  assert.equal(f.type, 'family.police');
  assert.equal(f.fields.person_id, masked);
  assert.notEqual(f.fields.counterpart_id, OTHER);
  assert.ok(!page.text.includes(PERSON));

  r = await h.api('POST', `/api/v1/subjects/${p.id}/unmask`, { token: admin, body: { purpose: '' } });
  assert.equal(r.status, 400);
  r = await h.api('POST', `/api/v1/subjects/${p.id}/unmask`, { token: admin, body: { purpose: '核查告诫书当事人身份' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.key, PERSON);
  assert.equal(r.json.records.items[0].fields.counterpart_id, OTHER);
  const auditor = await h.login('auditor.330700');
  const a = await h.api('GET', '/api/v1/audit?action=subject.unmask', { token: auditor });
  assert.equal(a.status, 200, a.text);
  const e = a.json.items.find((x) => x.action === 'subject.unmask');
  assert.ok(e, a.text);
  assert.match(e.summary, /核查告诫书当事人身份/);
});

test('revoking stops a key; rotating gives a new one and the old stays refused', async () => {
  let r = await h.api('POST', '/api/v1/sources/test-wim/revoke', { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'revoked');
  r = await post(ndjson([weighing('r-1')]));
  assert.equal(r.status, 403, r.text);
  r = await h.api('POST', '/api/v1/sources/test-wim/rotate', { token: admin });
  assert.equal(r.status, 200, r.text);
  const fresh = r.json.key;
  assert.notEqual(fresh, key);
  r = await post(ndjson([weighing('r-1')]));
  assert.equal(r.status, 401);
  r = await post(ndjson([weighing('r-1')]), { k: fresh });
  assert.equal(r.status, 200, r.text);
  key = fresh;
});

test('acknowledged means durable: records that got a 200 survive kill -9', async () => {
  const rows = [];
  for (let i = 0; i < 3000; i++) rows.push(weighing(`d-${i}`, { plate: '浙G9D8K2', gross_kg: 40000 + i }));
  const r = await h.api('POST', '/api/v1/records', {
    raw: ndjson(rows), headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key}` },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.accepted, 3000);
  assert.ok(r.json.transactions <= 2, r.text);
  await h.crash();
  admin = await h.login('admin.330700');
  const s = await h.api('GET', '/api/v1/subjects?q=浙G9D8K2', { token: admin });
  assert.equal(s.json.items[0].records_total, 3000);
  const replay = await h.api('POST', '/api/v1/records', {
    raw: ndjson(rows), headers: { 'content-type': 'application/x-ndjson', 'x-source-key': key },
  });
  assert.equal(replay.json.duplicates, 3000);
  assert.equal(replay.json.accepted, 0);
});

test('the demo: the seed truck has 56 overloads, 18 above 100 t, mostly between 00:00 and 05:00', async () => {
  const s = await h.api('GET', `/api/v1/subjects?q=${encodeURIComponent('浙G72958')}`, { token: admin });
  assert.equal(s.json.items.length, 1);
  const page = await h.api('GET', `/api/v1/subjects/${s.json.items[0].id}?limit=200`, { token: admin });
  const w = page.json.records.items.filter((r) => r.type === 'overload.weighing');
  assert.equal(w.length, 86);
  const over = w.filter((r) => r.fields.gross_kg > 49000); // six-axle combination
  assert.equal(over.length, 56);
  assert.equal(over.filter((r) => r.fields.gross_kg > 100000).length, 18);
  const night = over.filter((r) => (new Date(r.at).getUTCHours() + 8) % 24 < 5);
  assert.ok(night.length >= 45, `${night.length} at night`);
  // every station lies in the district the locator gives it
  const regions = new Set(w.map((r) => `${r.fields.station}:${r.region}`));
  for (const x of regions) assert.match(x, /^JH-(WC-0\d:330702|JD-0\d:330703|LX-01:330781)\d{6}$/);
  const src = await h.api('GET', '/api/v1/sources', { token: admin });
  assert.ok(src.json.items.length >= 10);
});

test('reloading the packs reloads the record types', async () => {
  const r = await h.api('POST', '/api/v1/packs/reload', { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.record_types, 13);
  const t = await h.api('GET', '/api/v1/record-types', { token: admin });
  assert.ok(t.json.items.some((x) => x.type === 'family.court' && x.fields.item.values.protection_order_granted));
});
