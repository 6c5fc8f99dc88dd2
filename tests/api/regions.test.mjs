// The real Jinhua region tree and district boundaries, and region scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi } from '../lib/fazhi.mjs';

let h, city;
before(async () => { h = await startFazhi(); city = await h.login('leader.330700'); });
after(async () => { await h.stop(); });

const DISTRICTS = {
  330702: '婺城区', 330703: '金东区', 330723: '武义县', 330726: '浦江县', 330727: '磐安县',
  330781: '兰溪市', 330782: '义乌市', 330783: '东阳市', 330784: '永康市',
};

test('Jinhua has its 9 districts, 146 townships and about 3 300 villages', async () => {
  const r = await h.api('GET', '/api/v1/regions/330700', { token: city });
  assert.equal(r.status, 200);
  assert.equal(r.json.name, '金华市');
  assert.deepEqual(r.json.ancestors, [{ code: '330000', name: '浙江省', level: 'province' }]);
  assert.deepEqual(Object.fromEntries(r.json.children.map((c) => [c.code, c.name])), DISTRICTS);
  const townships = r.json.children.reduce((n, c) => n + c.children_count, 0);
  assert.equal(townships, 146);
  let villages = 0;
  for (const d of r.json.children) {
    const dj = (await h.api('GET', `/api/v1/regions/${d.code}`, { token: city })).json;
    villages += dj.children.reduce((n, c) => n + c.children_count, 0);
  }
  assert.ok(villages > 3200 && villages < 3400, `${villages} villages`);
});

test('a region has its parent chain and children', async () => {
  const r = await h.api('GET', '/api/v1/regions/330702001', { token: city });
  assert.equal(r.json.name, '城东街道');
  assert.equal(r.json.level, 'township');
  assert.equal(r.json.level_name, '乡镇街道');
  assert.equal(r.json.parent, '330702');
  assert.deepEqual(r.json.ancestors.map((a) => a.name), ['浙江省', '金华市', '婺城区']);
  assert.ok(r.json.children.some((c) => c.code === '330702001008' && c.name === '桃园社区居委会'));
});

test('the district boundaries are the real ones, with codes', async () => {
  const r = await h.api('GET', '/api/v1/regions/330700/boundaries', { token: city });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /geo\+json/);
  assert.equal(r.json.type, 'FeatureCollection');
  assert.deepEqual(Object.fromEntries(r.json.features.map((f) => [f.properties.code, f.properties.name])), DISTRICTS);
  for (const f of r.json.features) {
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    for (const [lon, lat] of ring) assert.ok(lon > 119 && lon < 121 && lat > 28.5 && lat < 29.7, `${lon},${lat}`);
  }
});

test('a township user sees its branch of the tree, not its neighbours', async () => {
  const t = await h.login('grid.330702001');
  const d = await h.api('GET', '/api/v1/regions/330702', { token: t });
  assert.equal(d.status, 200, 'the district above is visible');
  assert.deepEqual(d.json.children.map((c) => c.code), ['330702001']);
  const c = await h.api('GET', '/api/v1/regions/330700', { token: t });
  assert.deepEqual(c.json.children.map((x) => x.code), ['330702']);
  const n = await h.api('GET', '/api/v1/regions/330702002', { token: t });
  assert.equal(n.status, 403);
  assert.equal(n.json.field, 'code');
  const v = await h.api('GET', '/api/v1/regions/330702001008', { token: t });
  assert.equal(v.status, 200);
});

test('bad and unknown codes', async () => {
  let r = await h.api('GET', '/api/v1/regions/33070', { token: city });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'code');
  r = await h.api('GET', '/api/v1/regions/330799', { token: city });
  assert.equal(r.status, 404);
  r = await h.api('GET', '/api/v1/regions/330702/boundaries', { token: city });
  assert.equal(r.status, 404);
});
