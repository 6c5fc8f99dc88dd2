// Test harness: starts the real fazhi binary on a free loopback port with a
// fresh SQLite file (seeded with the demo city) and an injected clock file, so
// that no test depends on the wall clock.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, renameSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.FAZHI_BIN || path.join(ROOT, 'build', 'fazhi');
export const PASSWORD = 'Jinhua@2026';
/* 2026-03-02T01:00:00Z, a Monday morning in Shanghai */
export const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);

let template = null;
function demoTemplate() {
  if (template) return template;
  const dir = mkdtempSync(path.join(tmpdir(), 'fazhi-tpl-'));
  template = path.join(dir, 'demo.db');
  execFileSync(BIN, ['demo', '--db', template, '--password', PASSWORD], {
    env: { ...process.env, FAZHI_NOW: String(T0) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return template;
}

/**
 * Start fazhi. Options: demo (seed the demo city, default true), env (extra
 * environment), args (extra serve flags). Returns { url, db, dir, setNow(ms),
 * advance(ms), stop(), api(method, path, {token, body, headers}) }.
 */
export async function startFazhi({ demo = true, env = {}, args = [] } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'fazhi-test-'));
  const db = path.join(dir, 'fazhi.db');
  if (demo) copyFileSync(demoTemplate(), db);
  else execFileSync(BIN, ['init', '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] });
  const clock = path.join(dir, 'clock');
  let now = T0;
  writeFileSync(clock, String(now));
  let child, url, stderr = '';
  const launch = async () => {
    child = spawn(
      BIN,
      ['serve', '--db', db, '--listen', '127.0.0.1:0', '--clock-file', clock, ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr.on('data', (d) => { stderr += d; });
    url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`fazhi did not start: ${stderr}`)), 20000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`fazhi exited ${code}: ${stderr}`)); });
    });
  };
  const halt = async () => {
    let code = child.exitCode;
    if (code === null) {
      const done = new Promise((r) => child.once('exit', (c, sig) => r(c ?? sig)));
      child.kill('SIGTERM');
      code = await done;
    }
    return code;
  };
  await launch();
  const h = {
    get url() { return url; },
    db, dir,
    get child() { return child; },
    stderr: () => stderr,
    /** Stops the server and starts it again on the same database and clock. */
    async restart() {
      const code = await halt();
      if (code !== 0) throw new Error(`fazhi exited with ${code}: ${stderr}`);
      await launch();
    },
    /** Kills the server with SIGKILL (no clean shutdown: what was not durable
     * is lost) and starts it again on the same database and clock. */
    async crash() {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await done;
      }
      await launch();
    },
    /* written to a temporary file and renamed, so the server never reads a
     * half-written time */
    setNow(ms) { now = ms; writeFileSync(`${clock}.tmp`, String(now)); renameSync(`${clock}.tmp`, clock); },
    advance(ms) { h.setNow(now + ms); },
    now: () => now,
    /** Stops the server; throws if it did not exit cleanly (a sanitizer
     * report or a crash makes the exit code non-zero). */
    async stop() {
      const code = await halt();
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`fazhi exited with ${code}: ${stderr}`);
    },
    async api(method, p, { token, body, headers = {}, raw } = {}) {
      const hd = { ...headers };
      if (token) hd.authorization = `Bearer ${token}`;
      let payload;
      if (raw !== undefined) payload = raw;
      else if (body !== undefined) { payload = JSON.stringify(body); hd['content-type'] = 'application/json'; }
      const res = await fetch(url + p, { method, headers: hd, body: payload });
      const text = await res.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      return { status: res.status, headers: res.headers, json, text };
    },
    async login(username, password = PASSWORD) {
      const r = await h.api('POST', '/api/v1/session', { body: { username, password } });
      if (r.status !== 201) throw new Error(`login ${username}: ${r.status} ${r.text}`);
      return r.json.token;
    },
  };
  return h;
}

export function binaryExists() { return existsSync(BIN); }
