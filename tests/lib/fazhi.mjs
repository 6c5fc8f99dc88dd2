// Test harness: starts the real fazhi binary on a free loopback port with a
// fresh SQLite file (seeded with the demo city) and an injected clock file, so
// that no test depends on the wall clock.
import { spawn, execFileSync, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync, renameSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.FAZHI_BIN || path.join(ROOT, 'build', 'fazhi');
export const PASSWORD = 'Jinhua@2026';
// Debian installs the broker in /usr/sbin, which a non-root PATH may lack.
const MOSQUITTO = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';

/* 2026-03-02T01:00:00Z, a Monday morning in Shanghai */
export const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);

let template = null;
function demoTemplate() {
  if (template) return template;
  const dir = mkdtempSync(path.join(tmpdir(), 'fazhi-tpl-'));
  template = path.join(dir, 'demo.db');
  // the demo's "now" (its day of tracks, its year of weighings) is T0 too
  const clock = path.join(dir, 'clock');
  writeFileSync(clock, String(T0));
  execFileSync(BIN, ['demo', '--db', template, '--password', PASSWORD, '--clock-file', clock], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return template;
}

/** A free loopback TCP port (bound once, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start a real mosquitto broker on a free loopback port (anonymous, no
 * persistence). Returns { port, address ("127.0.0.1:port"), publish(topic,
 * message, {qos}) (mosquitto_pub), stop() }.
 */
export async function startMosquitto() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fazhi-mqtt-'));
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  // Ready when a publish goes through.
  const publish = (topic, message, { qos = 1 } = {}) =>
    new Promise((resolve, reject) => {
      execFile('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-q', String(qos), '-t', topic, '-m', message],
        (err, _out, errText) => (err ? reject(new Error(`mosquitto_pub: ${errText || err.message}`)) : resolve()));
    });
  for (let i = 0; ; i++) {
    try { await publish('fazhi-test/ready', '1', { qos: 0 }); break; } catch (e) {
      if (i > 50 || child.exitCode !== null) throw new Error(`mosquitto did not start: ${stderr} ${e.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    publish,
    async stop() {
      if (child.exitCode === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let serial = 0;

/**
 * Start fazhi. Options: demo (seed the demo city, default true), env (extra
 * environment), args (extra serve flags), mqtt (a broker address from
 * startMosquitto(); without it the server connects to no broker). Returns { url, db, dir, setNow(ms),
 * advance(ms), stop(), api(method, path, {token, body, headers}) }.
 */
export async function startFazhi({ demo = true, env = {}, args = [], mqtt = '' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'fazhi-test-'));
  const db = path.join(dir, 'fazhi.db');
  if (demo) copyFileSync(demoTemplate(), db);
  else execFileSync(BIN, ['init', '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] });
  const clock = path.join(dir, 'clock');
  let now = T0;
  writeFileSync(clock, String(now));
  let child, url, stderr = '';
  const clientId = `fazhi-test-${process.pid}-${++serial}`; /* kept across restart() */
  const launch = async () => {
    child = spawn(
      BIN,
      ['serve', '--db', db, '--listen', '127.0.0.1:0', '--clock-file', clock,
        '--mqtt', mqtt, '--mqtt-client-id', clientId, ...args],
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

/**
 * Polls fn until it returns something truthy and returns that. The server
 * does some work after it answers (sinks after an ingest commit, the
 * scheduler after the clock moves), so tests wait for the result the user
 * would see. The budget only bounds how long a broken server makes a test
 * hang; it is generous because sanitizer builds on a loaded machine are
 * slow. An error thrown by fn counts as not yet (a page still rendering);
 * the timeout names what was awaited and the last value or error.
 */
export async function eventually(fn, what, { timeout = 30000, every = 25 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`waited ${timeout} ms for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Opens the live stream (GET /api/v1/dispatch/stream) as token, like a
 * browser's EventSource. Returns { events (every event so far: {id, event,
 * data (parsed)}), next(pred, ms) (the first event, seen or coming, that
 * pred accepts, else throws after ms, 30 s by default), close() }.
 */
export async function openStream(url, token, { lastEventId } = {}) {
  const ac = new AbortController();
  const headers = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
  if (lastEventId) headers['last-event-id'] = String(lastEventId);
  const res = await fetch(`${url}/api/v1/dispatch/stream`, { headers, signal: ac.signal });
  if (res.status !== 200) throw new Error(`stream: HTTP ${res.status} ${await res.text()}`);
  const events = [];
  const waiters = new Set();
  let buf = '';
  const decoder = new TextDecoder();
  const pump = (async () => {
    try {
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { id: null, event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) ev.id = Number(line.slice(4));
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data += line.slice(6);
          }
          if (ev.id === null) continue; /* comments, retry */
          try { ev.data = JSON.parse(ev.data); } catch { /* keep text */ }
          events.push(ev);
          for (const w of waiters) w();
        }
      }
    } catch { /* aborted */ }
  })();
  return {
    events,
    async next(pred, ms = 30000) {
      const seen = events.find(pred);
      if (seen) return seen;
      return new Promise((resolve, reject) => {
        const w = () => {
          const e = events.find(pred);
          if (e) { clearTimeout(t); waiters.delete(w); resolve(e); }
        };
        const t = setTimeout(() => { waiters.delete(w); reject(new Error('no such event on the stream')); }, ms);
        waiters.add(w);
      });
    },
    async close() { ac.abort(); await pump; },
  };
}
