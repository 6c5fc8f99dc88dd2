// User administration as an admin does it, with its effects on sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi } from '../lib/fazhi.mjs';

let h, admin, unit;
before(async () => {
  h = await startFazhi();
  admin = await h.login('admin.330703');
  unit = (await h.api('GET', '/api/v1/units?region=330703&kind=dispute_centre', { token: admin })).json.items[0];
});
after(async () => { await h.stop(); });

test('create, sign in, read with the full phone (audited), disable, reset', async () => {
  const r = await h.api('POST', '/api/v1/users', { token: admin, body: {
    username: 'li.mediator', display_name: '李调解', password: 'Mediate#2026ok',
    unit_id: unit.id, roles: ['handler', 'dispatcher'], phone: '13912345678' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/api/v1/users/${r.json.id}`);
  assert.deepEqual(r.json.roles, ['dispatcher', 'handler']);
  assert.equal(r.json.scope.code, '330703', 'scope defaults to the unit region');
  assert.equal(r.json.phone, '139****5678');
  const id = r.json.id;

  const tok = await h.login('li.mediator', 'Mediate#2026ok');
  const full = await h.api('GET', `/api/v1/users/${id}`, { token: admin });
  assert.equal(full.json.phone, '13912345678');
  const auditor = await h.login('auditor.330703');
  const reads = (await h.api('GET', `/api/v1/audit?action=user.read&object_id=${id}`, { token: auditor })).json.items;
  assert.equal(reads.length, 1);
  assert.equal(reads[0].actor.username, 'admin.330703');

  const dis = await h.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { disabled: true } });
  assert.equal(dis.status, 200);
  assert.equal(dis.json.disabled, true);
  assert.equal((await h.api('GET', '/api/v1/session', { token: tok })).status, 401, 'sessions ended');
  const refused = await h.api('POST', '/api/v1/session', { body: { username: 'li.mediator', password: 'Mediate#2026ok' } });
  assert.equal(refused.status, 401);
  assert.match(refused.json.detail, /停用/);

  assert.equal((await h.api('PATCH', `/api/v1/users/${id}`, { token: admin, body: { disabled: false } })).status, 200);
  const old = await h.login('li.mediator', 'Mediate#2026ok');
  assert.equal((await h.api('PUT', `/api/v1/users/${id}/password`, { token: admin, body: { password: 'Brand#New2026x' } })).status, 204);
  assert.equal((await h.api('GET', '/api/v1/session', { token: old })).status, 401, 'reset ends sessions');
  await h.login('li.mediator', 'Brand#New2026x');
});

test('an admin cannot disable itself', async () => {
  const me = (await h.api('GET', '/api/v1/session', { token: admin })).json.user;
  const r = await h.api('PATCH', `/api/v1/users/${me.id}`, { token: admin, body: { disabled: true } });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'disabled');
});

test('lists page with cursors without gaps or repeats', async () => {
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 50; i++) {
    const r = await h.api('GET', `/api/v1/users?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
    assert.equal(r.status, 200);
    seen.push(...r.json.items.map((u) => u.id));
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  const all = (await h.api('GET', '/api/v1/users?limit=200', { token: admin })).json;
  assert.equal(all.next_cursor, null);
  assert.deepEqual(seen, all.items.map((u) => u.id));
  assert.equal(new Set(seen).size, seen.length);
});

test('units: create, rename, list by kind and keyword', async () => {
  const c = await h.api('POST', '/api/v1/units', { token: admin, body: { name: '多湖调解工作室', kind: 'other', region: '330703001' } });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.kind_name, '其他单位');
  const dup = await h.api('POST', '/api/v1/units', { token: admin, body: { name: '多湖调解工作室', kind: 'other', region: '330703001' } });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.field, 'name');
  const p = await h.api('PATCH', `/api/v1/units/${c.json.id}`, { token: admin, body: { name: '多湖街道人民调解工作室' } });
  assert.equal(p.json.name, '多湖街道人民调解工作室');
  const q = await h.api('GET', `/api/v1/units?q=${encodeURIComponent('人民调解')}`, { token: admin });
  assert.deepEqual(q.json.items.map((u) => u.id), [c.json.id]);
  const kinds = await h.api('GET', '/api/v1/unit-kinds', { token: admin });
  assert.ok(kinds.json.items.some((k) => k.kind === 'justice_office' && k.name === '司法所'));
  const roles = await h.api('GET', '/api/v1/roles', { token: admin });
  assert.deepEqual(roles.json.items.map((r) => r.role), ['admin', 'leader', 'dispatcher', 'handler', 'grid', 'auditor']);
});
