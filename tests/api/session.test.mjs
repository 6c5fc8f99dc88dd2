// Sign-in, tokens, expiry, sign-out and lockout against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi, PASSWORD, T0 } from '../lib/fazhi.mjs';

let h;
before(async () => { h = await startFazhi(); });
after(async () => { await h.stop(); });

test('sign-in returns a token, its expiry and the user', async () => {
  const r = await h.api('POST', '/api/v1/session', {
    body: { username: 'handler.330702001', password: PASSWORD },
  });
  assert.equal(r.status, 201);
  assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Date.parse(r.json.expires_at), h.now() + 8 * 3600 * 1000);
  assert.equal(r.json.user.username, 'handler.330702001');
  assert.deepEqual(r.json.user.roles, ['handler']);
  assert.equal(r.json.user.scope.code, '330702001');
  assert.equal(r.json.user.unit.name, '城东司法所');
  assert.match(r.json.user.phone, /^139\*{4}\d{4}$/, 'phone masked');
  const me = await h.api('GET', '/api/v1/session', { token: r.json.token });
  assert.equal(me.status, 200);
  assert.equal(me.json.user.username, 'handler.330702001');
});

test('requests without, with forged or with revoked tokens get 401 problems', async () => {
  let r = await h.api('GET', '/api/v1/units');
  assert.equal(r.status, 401);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  assert.equal(r.json.code, 'unauthorized');
  assert.equal(r.json.field, 'Authorization');
  r = await h.api('GET', '/api/v1/units', { token: 'x'.repeat(43) });
  assert.equal(r.status, 401);
  assert.match(r.json.detail, /令牌无效/);
  const token = await h.login('grid.330702001');
  assert.equal((await h.api('DELETE', '/api/v1/session', { token })).status, 204);
  r = await h.api('GET', '/api/v1/session', { token });
  assert.equal(r.status, 401);
  assert.match(r.json.detail, /已退出登录/);
});

test('a token expires after the session lifetime (clock injected)', async () => {
  const token = await h.login('leader.330702');
  h.advance(8 * 3600 * 1000 - 1);
  assert.equal((await h.api('GET', '/api/v1/session', { token })).status, 200);
  h.advance(1);
  const r = await h.api('GET', '/api/v1/session', { token });
  assert.equal(r.status, 401);
  assert.match(r.json.detail, /过期/);
});

test('wrong passwords count down, then lock the account with the wait in the error', async () => {
  const body = { username: 'dispatcher.330703', password: 'Wrong@pass123' };
  for (let left = 4; left >= 1; left--) {
    const r = await h.api('POST', '/api/v1/session', { body });
    assert.equal(r.status, 401);
    assert.match(r.json.detail, new RegExp(`再错 ${left} 次`));
  }
  let r = await h.api('POST', '/api/v1/session', { body });
  assert.equal(r.status, 429);
  assert.equal(r.json.code, 'locked');
  assert.equal(r.json.retry_after, 900);
  assert.equal(r.headers.get('retry-after'), '900');
  // Even the right password is refused while locked, with the time left.
  h.advance(600 * 1000);
  r = await h.api('POST', '/api/v1/session', { body: { ...body, password: PASSWORD } });
  assert.equal(r.status, 429);
  assert.equal(r.json.retry_after, 300);
  h.advance(300 * 1000);
  r = await h.api('POST', '/api/v1/session', { body: { ...body, password: PASSWORD } });
  assert.equal(r.status, 201);
});

test('failures spread over more than the window do not lock', async () => {
  const body = { username: 'grid.330703', password: 'Wrong@pass123' };
  for (let i = 0; i < 4; i++) assert.equal((await h.api('POST', '/api/v1/session', { body })).status, 401);
  h.advance(901 * 1000);
  const r = await h.api('POST', '/api/v1/session', { body });
  assert.equal(r.status, 401);
  assert.match(r.json.detail, /再错 4 次/);
});

test('unknown users get the same answer as wrong passwords', async () => {
  const r = await h.api('POST', '/api/v1/session', { body: { username: 'nobody', password: 'x' } });
  assert.equal(r.status, 401);
  assert.equal(r.json.detail, '用户名或密码错误');
  assert.ok(T0 > 0);
});
