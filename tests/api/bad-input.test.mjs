// Bad input: each gets a 4xx problem naming the field, and nothing is written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi } from '../lib/fazhi.mjs';

let h, admin, unitId;
before(async () => {
  h = await startFazhi({ args: ['--max-body', '4096', '--max-json-depth', '8'] });
  admin = await h.login('admin.330702');
  const units = await h.api('GET', '/api/v1/units?region=330702001&kind=justice_office', { token: admin });
  unitId = units.json.items[0].id;
});
after(async () => { await h.stop(); });

const good = () => ({
  username: 'zhang.san', display_name: '张三', password: 'Strong#Pass2026',
  unit_id: unitId, roles: ['handler'], phone: '13800001234',
});

async function expectProblem(body, status, code, field, opts = {}) {
  const r = await h.api('POST', '/api/v1/users', { token: admin, body, ...opts });
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  assert.equal(r.json.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.field, field, r.text);
  assert.ok(r.json.detail && r.json.title, 'Chinese title and detail');
  return r.json;
}

test('malformed JSON', async () => {
  const p = await expectProblem(undefined, 400, 'malformed_json', null, {
    raw: '{"username": "x",', headers: { 'content-type': 'application/json' },
  });
  assert.match(p.detail, /JSON/);
});

test('trailing garbage after JSON', async () => {
  await expectProblem(undefined, 400, 'malformed_json', null, {
    raw: JSON.stringify(good()) + ' x', headers: { 'content-type': 'application/json' },
  });
});

test('wrong content type', async () => {
  await expectProblem(undefined, 415, 'unsupported_media_type', 'Content-Type', {
    raw: JSON.stringify(good()), headers: { 'content-type': 'text/plain' },
  });
});

test('unknown field', async () => {
  const p = await expectProblem({ ...good(), is_root: true }, 400, 'unknown_field', 'is_root');
  assert.match(p.detail, /is_root/);
});

test('missing and wrongly typed fields name the field and the expected form', async () => {
  const { username, ...rest } = good();
  assert.ok(username);
  await expectProblem(rest, 400, 'missing_field', 'username');
  const p = await expectProblem({ ...good(), unit_id: '16' }, 400, 'invalid_field', 'unit_id');
  assert.match(p.detail, /应为/);
  await expectProblem({ ...good(), roles: 'handler' }, 400, 'invalid_field', 'roles');
  await expectProblem({ ...good(), roles: ['judge'] }, 400, 'invalid_field', 'roles');
  await expectProblem({ ...good(), phone: '12345' }, 400, 'invalid_field', 'phone');
  await expectProblem({ ...good(), username: 'Bad Name' }, 400, 'invalid_field', 'username');
});

test('weak passwords are refused with the policy', async () => {
  let p = await expectProblem({ ...good(), password: 'short1A!' }, 400, 'weak_password', 'password');
  assert.match(p.detail, /至少需要 10 个/);
  p = await expectProblem({ ...good(), password: 'alllowercaseletters' }, 400, 'weak_password', 'password');
  assert.match(p.detail, /三类/);
  await expectProblem({ ...good(), password: 'Zhang.San#2026' }, 400, 'weak_password', 'password');
});

test('unknown region codes and units', async () => {
  await expectProblem({ ...good(), scope: '330799' }, 400, 'invalid_field', 'scope');
  await expectProblem({ ...good(), unit_id: 999999 }, 400, 'invalid_field', 'unit_id');
  const r = await h.api('POST', '/api/v1/units', {
    token: admin, body: { name: '测试单位', kind: 'other', region: '330702999' },
  });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'region');
  const q = await h.api('GET', '/api/v1/units?region=abc', { token: admin });
  assert.equal(q.status, 400);
  assert.equal(q.json.field, 'region');
  const l = await h.api('GET', '/api/v1/units?limit=0', { token: admin });
  assert.equal(l.status, 400);
  assert.equal(l.json.field, 'limit');
});

test('oversized bodies get 413 and deep JSON is refused', async () => {
  const big = { ...good(), display_name: '张'.repeat(3000) };
  await expectProblem(big, 413, 'too_big');
  let deep = 1;
  for (let i = 0; i < 20; i++) deep = [deep];
  await expectProblem({ ...good(), extra: deep }, 413, 'too_big');
});

test('duplicate usernames conflict, and failed requests write nothing', async () => {
  const before = await h.api('GET', '/api/v1/users?q=zhang.san', { token: admin });
  assert.equal(before.json.items.length, 0, 'none of the bad requests created a user');
  const ok = await h.api('POST', '/api/v1/users', { token: admin, body: good() });
  assert.equal(ok.status, 201, ok.text);
  const dup = await expectProblem({ ...good(), display_name: '另一个张三' }, 409, 'conflict', 'username');
  assert.match(dup.detail, /zhang\.san/);
  const after = await h.api('GET', '/api/v1/users?q=zhang.san', { token: admin });
  assert.equal(after.json.items.length, 1);
  assert.equal(after.json.items[0].display_name, '张三');
  const auditor = await h.login('auditor.330702');
  const log = await h.api('GET', '/api/v1/audit?action=user.create', { token: auditor });
  assert.equal(log.json.items.filter((e) => e.summary.includes('zhang.san')).length, 1);
});

test('unknown routes and methods', async () => {
  let r = await h.api('GET', '/api/v1/nothing', { token: admin });
  assert.equal(r.status, 404);
  assert.equal(r.json.code, 'not_found');
  r = await h.api('DELETE', '/api/v1/units', { token: admin });
  assert.equal(r.status, 405);
  assert.equal(r.json.status, 405);
  assert.equal(r.json.code, 'method_not_allowed');
  for (const id of ['abc', '%205', '+5', '-1', '0']) {
    r = await h.api('GET', `/api/v1/units/${id}`, { token: admin });
    assert.equal(r.status, 400, id);
    assert.equal(r.json.field, 'id');
  }
});
