// The command line: help, configuration precedence, init/demo, user admin,
// refusal of foreign or newer databases, clean stop on Ctrl-C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, PASSWORD, T0 } from '../lib/fazhi.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'fazhi-cli-'));
const run = (args, opts = {}) => spawnSync(BIN, args, { encoding: 'utf8', ...opts });
// Commands that seed, change or serve data read "now" from this file, never
// from the wall clock (the demo's year of records ends at T0).
const clock = path.join(dir, 'clock');
writeFileSync(clock, String(T0));
const at = (args) => [...args, '--clock-file', clock];

test('every command has --help', () => {
  for (const cmd of [[], ['init'], ['demo'], ['serve'], ['user'], ['audit'], ['source'], ['calendar'], ['import'],
    ['user', 'add'], ['audit', 'verify'], ['source', 'list'], ['calendar', 'years']]) {
    const r = run([...cmd, '--help']);
    assert.equal(r.status, 0, `${cmd} --help: ${r.stderr}`);
    assert.match(r.stdout, /Usage|Commands/);
  }
  for (const cmd of ['user', 'audit', 'source', 'calendar']) {
    const none = run([cmd]);
    assert.equal(none.status, 2, `${cmd} without a verb`);
    assert.match(none.stdout, /^Usage: fazhi /);
    const bad = run([cmd, 'frobnicate']);
    assert.equal(bad.status, 2, `${cmd} frobnicate`);
    assert.match(bad.stderr, new RegExp(`fazhi: ${cmd}: unknown verb "frobnicate" \\(see --help\\)`));
  }
  assert.match(run(['version']).stdout, /^fazhi \d+\.\d+\.\d+ \(schema \d+\)/);
  assert.equal(run(['frobnicate']).status, 2);
  const bad = run(['serve', '--no-such-flag', 'x']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option --no-such-flag/);
});

test('configuration: file < environment < flags, shown by --print-config', () => {
  const conf = path.join(dir, 'fazhi.conf');
  writeFileSync(conf, '# test\nthreads = 3\nlisten = 127.0.0.1:9000\nsession_ttl = 600\n');
  const r = run(['serve', '--config', conf, '--listen', '127.0.0.1:9100', '--print-config'], {
    env: { ...process.env, FAZHI_LISTEN: '127.0.0.1:9050', FAZHI_SESSION_TTL: '1200' },
  });
  assert.equal(r.status, 0, r.stderr);
  const line = (k) => r.stdout.split('\n').find((l) => l.startsWith(k + ' '));
  assert.match(line('threads'), /= 3\s+# file/);
  assert.match(line('session_ttl'), /= 1200\s+# env/);
  assert.match(line('listen'), /= 127\.0\.0\.1:9100\s+# flag/);
  assert.match(line('max_body'), /# default/);
  writeFileSync(conf, 'threads = many\n');
  const bad = run(['serve', '--config', conf, '--print-config']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /fazhi.conf:1: threads/);
});

test('a file that is not fazhi\'s, or that a newer fazhi wrote, is refused', () => {
  const junk = path.join(dir, 'junk.db');
  writeFileSync(junk, 'this is a spreadsheet, not a database\n'.repeat(200));
  let r = run(at(['init', '--db', junk]));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /不是 fazhi 的数据库/);
  const other = path.join(dir, 'other.db');
  execFileSync('sqlite3', [other, 'CREATE TABLE t(x); PRAGMA application_id = 42;']);
  r = run(at(['init', '--db', other]));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /application_id/);
  const newer = path.join(dir, 'newer.db');
  assert.equal(run(at(['init', '--db', newer])).status, 0);
  execFileSync('sqlite3', [newer, 'PRAGMA user_version = 99;']);
  r = run(at(['init', '--db', newer]));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /更新版本.*99/);
});

test('demo seeds once; user add, passwd, disable, list', async () => {
  const db = path.join(dir, 'demo.db');
  let r = run(at(['demo', '--db', db, '--password', PASSWORD]));
  assert.equal(r.status, 0, r.stderr);
  // 1145 + a duty user per community control room of 婺城区 and 金东区 (161) + fire and traffic per district (18)
  // + the transport bureau's overload duty user of the city and each district (10)
  assert.match(r.stdout, /seeded \d+ units and 1334 users/);
  r = run(at(['demo', '--db', db]));
  assert.match(r.stdout, /already holds the demo city/);
  assert.equal(run(at(['demo', '--db', path.join(dir, 'weak.db'), '--password', 'weak'])).status, 1);

  r = run(at(['user', 'add', '--db', db, '--username', 'ops.root', '--unit', '1', '--roles', 'admin,auditor',
    '--display-name', '运维', '--password', 'Ops#Root20261']));
  assert.equal(r.status, 0, r.stderr);
  r = run(at(['user', 'add', '--db', db, '--username', 'ops.root', '--unit', '1', '--roles', 'admin', '--password', 'Ops#Root20261']));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /已被占用/);
  r = run(['user', 'list', '--db', db, '--region', '330700']);
  assert.match(r.stdout, /ops\.root\s+运维/);

  copyFileSync(db, path.join(dir, 'serve.db'));
  const s = await serveOn(path.join(dir, 'serve.db'));
  try {
    const tok = await s.login('ops.root', 'Ops#Root20261');
    assert.ok(tok);
    assert.equal(run(at(['user', 'passwd', '--db', s.db, '--username', 'ops.root', '--password', 'Ops#Root20262'])).status, 0);
    assert.equal((await s.get('/api/v1/session', tok)).status, 401, 'password change ends sessions');
    await s.login('ops.root', 'Ops#Root20262');
    assert.equal(run(at(['user', 'disable', '--db', s.db, '--username', 'ops.root'])).status, 0);
    const refused = await s.post('/api/v1/session', { username: 'ops.root', password: 'Ops#Root20262' });
    assert.equal(refused.status, 401);
  } finally {
    await s.stop();
  }
  r = run(['audit', 'verify', '--db', path.join(dir, 'serve.db')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

/* serve an existing database; returns small helpers and a stop that sends SIGINT */
async function serveOn(db) {
  const child = spawn(BIN, at(['serve', '--db', db, '--listen', '127.0.0.1:0']), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { out += d; const m = out.match(/listening on (http:\S+)/); if (m) resolve(m[1]); });
    child.on('exit', (c) => reject(new Error(`exit ${c}`)));
  });
  const call = async (method, p, token, body) => {
    const res = await fetch(url + p, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, json: await res.json().catch(() => null) };
  };
  return {
    db,
    get: (p, t) => call('GET', p, t),
    post: (p, b) => call('POST', p, null, b),
    async login(u, pw) { const r = await call('POST', '/api/v1/session', null, { username: u, password: pw }); assert.equal(r.status, 201); return r.json.token; },
    async stop() {
      const done = new Promise((r) => child.once('exit', (c) => r(c)));
      child.kill('SIGINT');
      assert.equal(await done, 0, 'Ctrl-C stops cleanly');
      assert.match(out, /stopped/);
    },
  };
}

test('restarting keeps the data', async () => {
  const db = path.join(dir, 'restart.db');
  assert.equal(run(at(['demo', '--db', db])).status, 0);
  let s = await serveOn(db);
  const tok = await s.login('admin.330700', PASSWORD);
  await s.stop();
  s = await serveOn(db);
  const again = await s.get('/api/v1/session', tok);
  assert.equal(again.status, 200, 'a token survives a restart');
  await s.stop();
});
