// The audit chain through the API and `fazhi audit verify` on a tampered file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { startFazhi, BIN, T0 } from '../lib/fazhi.mjs';

let h, auditor;
before(async () => {
  h = await startFazhi();
  const admin = await h.login('admin.330700');
  for (let i = 0; i < 5; i++) {
    h.advance(60 * 1000);
    const r = await h.api('POST', '/api/v1/units', { token: admin, body: { name: `审计测试单位${i}`, kind: 'other', region: '330782' } });
    assert.equal(r.status, 201);
  }
  auditor = await h.login('auditor.330700');
});
after(async () => { await h.stop(); });

test('entries record who, what, when, where from, and before/after digests', async () => {
  const r = await h.api('GET', '/api/v1/audit?action=unit.create', { token: auditor });
  assert.equal(r.status, 200);
  const e = r.json.items;
  assert.equal(e.length, 5);
  assert.equal(e[0].actor.username, 'admin.330700');
  assert.equal(e[0].ip, '127.0.0.1');
  assert.equal(e[0].region.code, '330782');
  assert.equal(e[0].region.name, '义乌市');
  assert.match(e[0].summary, /审计测试单位4/);
  assert.equal(e[0].before_digest, '');
  assert.match(e[0].after_digest, /^[0-9a-f]{64}$/);
  assert.match(e[0].hash, /^[0-9a-f]{64}$/);
  assert.equal(Date.parse(e[0].at), T0 + 5 * 60 * 1000, 'newest first, injected time');
  assert.ok(e[0].seq > e[1].seq);
  assert.equal(e[0].prev_hash.length, 64);
});

test('filters by time, actor and action prefix', async () => {
  const since = new Date(T0 + 3 * 60 * 1000).toISOString();
  const r = await h.api('GET', `/api/v1/audit?action=unit.&since=${since}`, { token: auditor });
  assert.equal(r.json.items.length, 3);
  const bad = await h.api('GET', '/api/v1/audit?since=yesterday', { token: auditor });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'since');
  const a = await h.api('GET', '/api/v1/audit?actor=nobody', { token: auditor });
  assert.equal(a.json.items.length, 0);
});

test('verify through the API', async () => {
  const r = await h.api('GET', '/api/v1/audit/verify', { token: auditor });
  assert.equal(r.json.ok, true);
  assert.ok(r.json.checked >= 7);
  assert.equal(r.json.first_bad, null);
});

function verify(db) {
  return spawnSync(BIN, ['audit', 'verify', '--db', db], { encoding: 'utf8' });
}
function sql(db, statement) {
  execFileSync('sqlite3', [db, statement]);
}

test('`fazhi audit verify` names the first edited, deleted or inserted entry', async () => {
  const copy = (name) => {
    const p = path.join(h.dir, name);
    execFileSync('sqlite3', [h.db, `VACUUM INTO '${p}'`]);
    return p;
  };
  const clean = copy('clean.db');
  let r = verify(clean);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /intact/);

  const edited = copy('edited.db');
  sql(edited, "UPDATE audit SET actor = 'someone.else' WHERE seq = 3");
  r = verify(edited);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /entry 3 was edited/);

  const deleted = copy('deleted.db');
  sql(deleted, 'DELETE FROM audit WHERE seq = 2');
  r = verify(deleted);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /BROKEN at entry 3/);

  const inserted = copy('inserted.db');
  sql(inserted, "INSERT INTO audit SELECT seq + 10000000, at, actor_id, actor, ip, action, object_type, object_id, region, region_path, summary, before_digest, after_digest, prev_hash, hash FROM audit WHERE seq = 2");
  r = verify(inserted);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /BROKEN at entry 10000002/);

  const truncated = copy('truncated.db');
  sql(truncated, 'DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)');
  r = verify(truncated);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /deleted or the head was altered/);
  assert.ok(copyFileSync);
});
