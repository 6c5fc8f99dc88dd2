// Point -> district on the real Jinhua boundaries: one point with names,
// GCJ-02 input converted, batches in order with a bad point named by its
// index, limits; every signed-in role may ask, nobody else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi } from '../lib/fazhi.mjs';

let h, grid, auditor;
before(async () => {
  h = await startFazhi();
  grid = await h.login('grid.330702001');
  auditor = await h.login('auditor.330700');
});
after(async () => { await h.stop(); });

const locate = (q, token = grid) => h.api('GET', `/api/v1/geo/locate?${new URLSearchParams(q)}`, { token });
const batch = (body, token = grid) => h.api('POST', '/api/v1/geo/locate', { token, body });

// The public GCJ-02 offset formula (WGS-84 -> GCJ-02), written out here so
// that the test does not take fazhi's word for it.
function toGcj02(lon, lat) {
  const a = 6378245.0, ee = 0.00669342162296594323, PI = Math.PI;
  const x = lon - 105, y = lat - 35;
  let dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
    + (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3
    + (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3
    + (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
  let dLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
    + (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3
    + (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3
    + (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
  const rad = lat / 180 * PI;
  const magic = 1 - ee * Math.sin(rad) ** 2, sq = Math.sqrt(magic);
  dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * sq) * PI);
  dLon = (dLon * 180) / (a / sq * Math.cos(rad) * PI);
  return [lon + dLon, lat + dLat];
}

const YIWU = [120.075, 29.306];      // 义乌市 centre (市政府一带)
const WUCHENG = [119.65, 29.08];     // 婺城区, the old town of Jinhua
const HANGZHOU = [120.155, 30.274];  // outside Jinhua
// 婺城区 by the river, 500 m from 金东区: its GCJ-02 coordinates read as
// WGS-84 fall in 金东区, so an unconverted GCJ-02 point would be misrouted.
const NEAR_BORDER = [119.6728, 29.0707];

test('the centre of 义乌市 is in 义乌市, 金华市; finer levels are null with a note', async () => {
  const r = await locate({ lon: YIWU[0], lat: YIWU[1] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.district, { code: '330782', name: '义乌市' });
  assert.deepEqual(r.json.city, { code: '330700', name: '金华市' });
  assert.equal(r.json.township, null);
  assert.equal(r.json.village, null);
  assert.match(r.json.note, /尚未生成/);
  assert.equal(r.json.lon, YIWU[0]);
  assert.equal(r.json.lat, YIWU[1]);
});

test('a point in the old town is in 婺城区; one in Hangzhou is nowhere in Jinhua', async () => {
  const w = await locate({ lon: WUCHENG[0], lat: WUCHENG[1] }, auditor);
  assert.equal(w.status, 200, w.text);
  assert.deepEqual(w.json.district, { code: '330702', name: '婺城区' });
  const o = await locate({ lon: HANGZHOU[0], lat: HANGZHOU[1] });
  assert.equal(o.status, 200);
  assert.equal(o.json.district, null);
  assert.equal(o.json.city, null);
});

test('GCJ-02 input is converted to WGS-84 before locating', async () => {
  const [glon, glat] = toGcj02(...NEAR_BORDER);
  const raw = await locate({ lon: glon, lat: glat });
  assert.equal(raw.json.district.code, '330703', 'read as WGS-84 the shifted point is in 金东区');
  const conv = await locate({ lon: glon, lat: glat, crs: 'gcj02' });
  assert.equal(conv.status, 200, conv.text);
  assert.equal(conv.json.district.code, '330702');
  assert.ok(Math.abs(conv.json.lon - NEAR_BORDER[0]) < 1e-7, `${conv.json.lon}`);
  assert.ok(Math.abs(conv.json.lat - NEAR_BORDER[1]) < 1e-7, `${conv.json.lat}`);
  const b = await batch({ points: [[glon, glat], YIWU], crs: 'gcj02' });
  assert.deepEqual(b.json, { results: ['330702', '330782'] });
});

test('bad parameters are refused naming them', async () => {
  const cases = [
    [{ lat: 29 }, 'lon'],
    [{ lon: 'abc', lat: 29 }, 'lon'],
    [{ lon: '0x77', lat: 29 }, 'lon'],
    [{ lon: 'Infinity', lat: 29 }, 'lon'],
    [{ lon: 181, lat: 29 }, 'lon'],
    [{ lon: 120, lat: 90.5 }, 'lat'],
    [{ lon: 120, lat: '' }, 'lat'],
    [{ lon: 120, lat: 29, crs: 'bd09' }, 'crs'],
  ];
  for (const [q, field] of cases) {
    const r = await locate(q);
    assert.equal(r.status, 400, JSON.stringify(q));
    assert.equal(r.json.field, field, JSON.stringify(q));
    assert.match(r.headers.get('content-type'), /problem\+json/);
  }
});

test('a batch of 1000 answers in order; a bad point is named by its index', async () => {
  const places = [YIWU, WUCHENG, HANGZHOU];
  const want = ['330782', '330702', null];
  const points = Array.from({ length: 1000 }, (_, i) => places[i % 3]);
  const r = await batch({ points });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.results.length, 1000);
  r.json.results.forEach((code, i) => assert.equal(code, want[i % 3], `point ${i}`));

  for (const [bad, why] of [[[120, 91], /超出范围/], [['120', 29], /两个数/], [[120], /两个数/],
    [[120, 29, 0], /两个数/], [null, /两个数/]]) {
    const b = await batch({ points: points.map((p, i) => (i === 17 ? bad : p)) });
    assert.equal(b.status, 400, JSON.stringify(bad));
    assert.equal(b.json.field, 'points/17');
    assert.match(b.json.detail, why);
  }
  const c = await batch({ points, crs: 'mars' });
  assert.equal(c.status, 400);
  assert.equal(c.json.field, 'crs');
  const u = await batch({ points, extra: 1 });
  assert.equal(u.status, 400);
  assert.equal(u.json.code, 'unknown_field');
  const e = await batch({ points: [] });
  assert.deepEqual(e.json, { results: [] });
});

test('100 000 points fit in one request (about 4 MB, above the server default); 100 001 do not', async () => {
  const points = [];
  for (let i = 0; i < 100000; i++) {
    points.push([119.2 + (i % 1000) * 0.0016123456789, 28.5 + Math.floor(i / 1000) * 0.012123456789]);
  }
  const body = JSON.stringify({ points });
  assert.ok(body.length > 1 << 20, `${body.length} bytes`);
  const r = await batch({ points });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.json.results.length, 100000);
  const inside = r.json.results.filter((c) => c !== null).length;
  assert.ok(inside > 40000 && inside < 70000, `${inside} inside`);
  // the answers are the single-point answers
  for (const i of [0, 12345, 54321, 99999]) {
    const one = await locate({ lon: points[i][0], lat: points[i][1] });
    assert.equal(r.json.results[i], one.json.district ? one.json.district.code : null, `point ${i}`);
  }
  points.push([120, 29]);
  const big = await batch({ points });
  assert.equal(big.status, 413);
  assert.equal(big.json.field, 'points');
});

test('only signed-in users may locate', async () => {
  const r = await h.api('GET', `/api/v1/geo/locate?lon=${YIWU[0]}&lat=${YIWU[1]}`);
  assert.equal(r.status, 401);
  const b = await h.api('POST', '/api/v1/geo/locate', { body: { points: [YIWU] } });
  assert.equal(b.status, 401);
});
