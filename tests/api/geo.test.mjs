// Point -> district, township and village: real district boundaries,
// generated township and village cells (marked generated), uploaded real
// boundaries replacing them; GCJ-02 input converted, batches in order with a
// bad point named by its index, limits; every signed-in role may ask, nobody
// else; only an admin uploads, and bad polygons are refused naming the feature.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi } from '../lib/fazhi.mjs';

let h, grid, auditor, admin;
before(async () => {
  h = await startFazhi();
  grid = await h.login('grid.330702001');
  auditor = await h.login('auditor.330700');
  admin = await h.login('admin.330700');
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

test('the centre of 义乌市 is in 义乌市, 金华市, and in a generated township and village of it', async () => {
  const r = await locate({ lon: YIWU[0], lat: YIWU[1] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.district, { code: '330782', name: '义乌市', generated: false });
  assert.deepEqual(r.json.city, { code: '330700', name: '金华市', generated: false });
  assert.match(r.json.township.code, /^330782\d{3}$/);
  assert.equal(r.json.township.generated, true);
  assert.ok(r.json.village.code.startsWith(r.json.township.code), JSON.stringify(r.json.village));
  assert.equal(r.json.village.generated, true);
  assert.match(r.json.note, /生成/);
  assert.equal(r.json.lon, YIWU[0]);
  assert.equal(r.json.lat, YIWU[1]);
});

test('a point in the old town is in 婺城区; one in Hangzhou is nowhere in Jinhua', async () => {
  const w = await locate({ lon: WUCHENG[0], lat: WUCHENG[1] }, auditor);
  assert.equal(w.status, 200, w.text);
  assert.deepEqual(w.json.district, { code: '330702', name: '婺城区', generated: false });
  const o = await locate({ lon: HANGZHOU[0], lat: HANGZHOU[1] });
  assert.equal(o.status, 200);
  assert.equal(o.json.district, null);
  assert.equal(o.json.city, null);
  assert.equal(o.json.township, null);
  assert.equal(o.json.village, null);
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
  assert.deepEqual(b.json.results.map((x) => x.district), ['330702', '330782']);
  assert.equal(b.json.results[0].township, conv.json.township.code);
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
  r.json.results.forEach((x, i) => assert.equal(x ? x.district : null, want[i % 3], `point ${i}`));
  assert.deepEqual(r.json.results[3], r.json.results[0], 'the same point, the same answer');
  assert.deepEqual(r.json.results[0].generated, { township: true, village: true });

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
    const x = r.json.results[i];
    assert.equal(x ? x.district : null, one.json.district ? one.json.district.code : null, `point ${i}`);
    assert.equal(x ? x.township : null, one.json.township ? one.json.township.code : null, `point ${i}`);
    assert.equal(x ? x.village : null, one.json.village ? one.json.village.code : null, `point ${i}`);
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

// ---- cells and uploads ----

const cells = (code, token = grid) => h.api('GET', `/api/v1/geo/cells/${code}`, { token });
const upload = (body, token = admin) => h.api('POST', '/api/v1/geo/boundaries', { token, body });
const square = (code, [x, y], d = 0.01) => ({
  type: 'Feature',
  properties: { code },
  geometry: { type: 'Polygon', coordinates: [[[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]] },
});

test('the map gets real districts and generated township cells, marked as such', async () => {
  const d = await cells('330700', auditor);
  assert.equal(d.status, 200, d.text);
  assert.match(d.headers.get('content-type'), /geo\+json/);
  assert.equal(d.json.features.length, 9);
  assert.ok(d.json.features.every((f) => f.properties.generated === false && f.properties.level === 'district'));
  const t = await cells('330702', auditor);
  assert.equal(t.status, 200);
  assert.ok(t.json.features.length > 10, `${t.json.features.length} townships`);
  assert.ok(t.json.features.every((f) => f.properties.generated === true && f.properties.code.startsWith('330702')));
  const v = await cells(t.json.features[0].properties.code, auditor);
  assert.equal(v.status, 200);
  assert.ok(v.json.features.every((f) => f.properties.level === 'village' && f.properties.generated));
  // the same cells on every request (and every start: they come from a fixed seed)
  const again = await cells('330702', auditor);
  assert.equal(again.text, t.text);
  assert.equal((await cells('12345', auditor)).status, 400);
  assert.equal((await cells('330799', auditor)).status, 404);
  // a grid worker of 330702001 sees its own chain, not 义乌市's townships
  assert.equal((await cells('330782')).status, 403);
});

test('an admin uploads a real township boundary; locating then uses it, also after a restart', async () => {
  const before = await locate({ lon: WUCHENG[0], lat: WUCHENG[1] });
  const code = before.json.township.code;
  // another township of 婺城区 takes over the old town
  const other = (await cells('330702', auditor)).json.features.map((f) => f.properties.code).find((c) => c !== code);
  const r = await upload(square(other, WUCHENG));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.replaced, [other]);
  assert.equal(r.json.townships_uploaded, 1);
  const after = await locate({ lon: WUCHENG[0], lat: WUCHENG[1] });
  assert.deepEqual({ code: after.json.township.code, generated: after.json.township.generated }, { code: other, generated: false });
  assert.ok(after.json.village.code.startsWith(other), 'its villages are regenerated inside it');
  const map = (await cells('330702', auditor)).json.features.find((f) => f.properties.code === other);
  assert.equal(map.properties.generated, false);
  const audit = await h.api('GET', '/api/v1/audit?action=boundary.upload', { token: auditor });
  assert.ok(JSON.stringify(audit.json).includes(other), audit.text.slice(0, 300));
  await h.restart();
  grid = await h.login('grid.330702001');
  auditor = await h.login('auditor.330700');
  admin = await h.login('admin.330700');
  const kept = await locate({ lon: WUCHENG[0], lat: WUCHENG[1] });
  assert.equal(kept.json.township.code, other);
  assert.equal(kept.json.township.generated, false);
});

test('bad boundaries are refused naming the feature and the problem; nothing changes', async () => {
  const before = await locate({ lon: YIWU[0], lat: YIWU[1] });
  const town = before.json.township.code;
  const bad = [
    [{ ...square(town, YIWU), geometry: { type: 'Polygon', coordinates: [[[120, 29.3], [120.1, 29.3], [120.1, 29.4], [120, 29.4]]] } }, 400, /闭合|首尾|结束/],
    [{ ...square(town, YIWU), geometry: { type: 'Polygon', coordinates: [[[120, 29.3], [120.1, 29.4], [120.1, 29.3], [120, 29.4], [120, 29.3]]] } }, 400, /相交|自交/],
    [square(town, HANGZHOU), 400, /上级区划/],
    [square('330782', YIWU), 404, /乡镇街道或村社区/],
    [square('330702001', YIWU), 400, /上级区划/],
    [{ type: 'FeatureCollection', features: [square(town, YIWU)], deep: [[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]] }, 413, /嵌套深度/],
  ];
  for (const [body, status, why] of bad) {
    const r = await upload(body);
    assert.equal(r.status, status, `${r.text}`);
    assert.match(r.headers.get('content-type'), /problem\+json/);
    assert.match(r.json.detail, why);
  }
  // the feature is named
  const out = await upload({ type: 'FeatureCollection', features: [square(town, YIWU, 0.001), square(town.slice(0, 6) + '999', HANGZHOU)] });
  assert.notEqual(out.status, 200);
  const after = await locate({ lon: YIWU[0], lat: YIWU[1] });
  assert.deepEqual(after.json.township, before.json.township, 'a refused upload changes nothing');
  // too many positions: 413
  const ring = Array.from({ length: 210000 }, (_, i) => [120 + Math.cos(i / 210000 * 2 * Math.PI) * 0.01, 29.3 + Math.sin(i / 210000 * 2 * Math.PI) * 0.01]);
  ring.push(ring[0]);
  const big = await upload({ ...square(town, YIWU), geometry: { type: 'Polygon', coordinates: [ring] } });
  assert.equal(big.status, 413, big.text.slice(0, 200));
  // only an admin
  const g = await upload(square(town, YIWU, 0.001), grid);
  assert.equal(g.status, 403);
});
