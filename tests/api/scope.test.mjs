// Role and region-scope matrix: a user of one township cannot read or change
// another township's units, users or audit entries; roles gate every route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi } from '../lib/fazhi.mjs';

const A = '330702001'; // 城东街道, 婺城区
const B = '330702002'; // 城中街道, 婺城区
let h, tok = {}, unitA, unitB, userB;

before(async () => {
  h = await startFazhi();
  for (const u of [`admin.${A}`, `admin.${B}`, `auditor.${A}`, `auditor.${B}`, 'admin.330702',
    'admin.330703', `grid.${A}`, `handler.${A}`, `leader.${A}`, 'auditor.330700', 'admin.330700'])
    tok[u] = await h.login(u);
  const city = tok['admin.330700'];
  unitA = (await h.api('GET', `/api/v1/units?region=${A}&kind=justice_office`, { token: city })).json.items[0];
  unitB = (await h.api('GET', `/api/v1/units?region=${B}&kind=justice_office`, { token: city })).json.items[0];
  userB = (await h.api('GET', `/api/v1/users?q=handler.${B}`, { token: city })).json.items[0];
  // Activity in B, so that B has audit entries of its own.
  const r = await h.api('PATCH', `/api/v1/units/${unitB.id}`, { token: tok[`admin.${B}`], body: { name: '城中司法所（新址）' } });
  assert.equal(r.status, 200, r.text);
});
after(async () => { await h.stop(); });

test('a township admin lists only its own units and users', async () => {
  const units = (await h.api('GET', '/api/v1/units?limit=200', { token: tok[`admin.${A}`] })).json.items;
  assert.ok(units.length >= 3);
  assert.ok(units.every((u) => u.region.code.startsWith(A)), 'only units in 城东街道 and its villages');
  const users = (await h.api('GET', '/api/v1/users?limit=200', { token: tok[`admin.${A}`] })).json.items;
  const township = users.filter((u) => u.username.endsWith(A));
  assert.equal(township.length, 7, 'the seven demo users of 城东街道 (six roles and the police station)');
  // and the duty users of its communities' property control rooms
  const control = users.filter((u) => !u.username.endsWith(A));
  assert.ok(control.length >= 1);
  assert.ok(control.every((u) => u.username.startsWith(`control.${A}`) && u.unit.kind === 'property_control'),
    control.map((u) => u.username).join(' '));
});

test("another township's units: read, filter, change and create are refused", async () => {
  const t = tok[`admin.${A}`];
  for (const [m, p, body] of [
    ['GET', `/api/v1/units/${unitB.id}`],
    ['GET', `/api/v1/units?region=${B}`],
    ['PATCH', `/api/v1/units/${unitB.id}`, { name: '被篡改' }],
    ['POST', '/api/v1/units', { name: '越权单位', kind: 'other', region: B }],
  ]) {
    const r = await h.api(m, p, { token: t, body });
    assert.equal(r.status, 403, `${m} ${p}: ${r.text}`);
    assert.equal(r.json.code, 'forbidden');
  }
  const still = await h.api('GET', `/api/v1/units/${unitB.id}`, { token: tok['admin.330700'] });
  assert.equal(still.json.name, '城中司法所（新址）', 'B unit unchanged');
});

test("another township's users: read, change, password and create are refused", async () => {
  const t = tok[`admin.${A}`];
  for (const [m, p, body] of [
    ['GET', `/api/v1/users/${userB.id}`],
    ['GET', `/api/v1/users?region=${B}`],
    ['PATCH', `/api/v1/users/${userB.id}`, { disabled: true }],
    ['PUT', `/api/v1/users/${userB.id}/password`, { password: 'Taken#Over2026' }],
    ['POST', '/api/v1/users', { username: 'mole', display_name: '卧底', password: 'Strong#Pass2026', unit_id: unitB.id, roles: ['grid'] }],
  ]) {
    const r = await h.api(m, p, { token: t, body });
    assert.equal(r.status, 403, `${m} ${p}: ${r.text}`);
  }
  const wide = await h.api('POST', '/api/v1/users', { token: t, body: {
    username: 'wide.scope', display_name: '越权范围', password: 'Strong#Pass2026',
    unit_id: unitA.id, roles: ['grid'], scope: '330702' } });
  assert.equal(wide.status, 403, 'cannot grant a scope wider than its own');
  assert.equal(wide.json.field, 'scope');
  assert.equal((await h.api('GET', `/api/v1/session`, { token: await h.login(`handler.${B}`) })).status, 200,
    'B user still active');
});

test("an auditor sees only its township's audit entries", async () => {
  const mine = (await h.api('GET', '/api/v1/audit?limit=200', { token: tok[`auditor.${A}`] })).json.items;
  assert.ok(mine.length > 0, 'sign-ins in A are audited');
  assert.ok(mine.every((e) => e.region && e.region.code.startsWith(A)), JSON.stringify(mine.map((e) => e.region)));
  const theirs = (await h.api('GET', '/api/v1/audit?limit=200', { token: tok[`auditor.${B}`] })).json.items;
  assert.ok(theirs.some((e) => e.action === 'unit.update'));
  assert.ok(!mine.some((e) => e.action === 'unit.update'));
  const r = await h.api('GET', `/api/v1/audit?region=${B}`, { token: tok[`auditor.${A}`] });
  assert.equal(r.status, 403);
  const city = (await h.api('GET', '/api/v1/audit?action=unit.update', { token: tok['auditor.330700'] })).json.items;
  assert.ok(city.some((e) => e.region.code === B), 'the city auditor sees B');
});

test("a township admin cannot take over an account whose scope is wider", async () => {
  // the city admin puts a city-wide auditor into a unit of township A
  const city = tok['admin.330700'];
  const r = await h.api('POST', '/api/v1/users', { token: city, body: {
    username: 'city.inspector', display_name: '市级督查', password: 'Inspect#2026ok',
    unit_id: unitA.id, roles: ['auditor'], scope: '330700' } });
  assert.equal(r.status, 201, r.text);
  const t = tok[`admin.${A}`];
  const seen = await h.api('GET', `/api/v1/users/${r.json.id}`, { token: t });
  assert.equal(seen.status, 200, 'a member of its unit is visible');
  for (const [m, p, body] of [
    ['PUT', `/api/v1/users/${r.json.id}/password`, { password: 'Taken#Over2026' }],
    ['PATCH', `/api/v1/users/${r.json.id}`, { roles: ['admin'] }],
  ]) {
    const x = await h.api(m, p, { token: t, body });
    assert.equal(x.status, 403, `${m} ${p}: ${x.text}`);
    assert.match(x.json.detail, /管辖范围/);
  }
  await h.login('city.inspector', 'Inspect#2026ok');
});

test('district and city admins see the townships below them, a sibling district none', async () => {
  const d = await h.api('GET', `/api/v1/units/${unitB.id}`, { token: tok['admin.330702'] });
  assert.equal(d.status, 200);
  const other = await h.api('GET', `/api/v1/units/${unitB.id}`, { token: tok['admin.330703'] });
  assert.equal(other.status, 403);
});

test('roles gate routes', async () => {
  const cases = [
    [`grid.${A}`, 'POST', '/api/v1/units', { name: 'x', kind: 'other', region: A }, 403],
    [`handler.${A}`, 'GET', '/api/v1/users', undefined, 403],
    [`leader.${A}`, 'GET', '/api/v1/users', undefined, 200],
    [`leader.${A}`, 'PATCH', `/api/v1/users/${userB.id}`, { disabled: true }, 403],
    [`admin.${A}`, 'GET', '/api/v1/audit', undefined, 403],
    [`grid.${A}`, 'GET', '/api/v1/audit/verify', undefined, 403],
    [`auditor.${A}`, 'GET', '/api/v1/audit/verify', undefined, 200],
    [`grid.${A}`, 'GET', '/api/v1/units', undefined, 200],
  ];
  for (const [u, m, p, body, status] of cases) {
    const r = await h.api(m, p, { token: tok[u], body });
    assert.equal(r.status, status, `${u} ${m} ${p}: ${r.text}`);
  }
});
