// Event to console on loopback (make bench, scripts/bench): camera events
// published over MQTT at RATE per second for SECS seconds, each to one of
// UNITS community control rooms, each watched by CONSOLES live streams (SSE);
// the latency of an event is from the moment its line is handed to
// mosquitto_pub to the moment a console of its unit has parsed it
// (MQTT -> ingest (validated, durable) -> dispatch (routed, stored) -> SSE).
// Peer on the same run: the broker alone (mosquitto_sub on the same topic),
// the floor any MQTT-fed console sits on. Prints p50/p95/p99/max for both
// and the ratio of the p99s.
//
// Usage: node bench/dispatch_bench.mjs BIN DB   (the DB seeded by `fazhi demo`)
// Environment: BENCH_RATE (1000), BENCH_SECONDS (10), BENCH_UNITS (25),
// BENCH_CONSOLES (2).
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, openStream } from '../tests/lib/fazhi.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [BIN, DB] = process.argv.slice(2);
const RATE = Number(process.env.BENCH_RATE || 1000);
const SECS = Number(process.env.BENCH_SECONDS || 10);
const UNITS = Number(process.env.BENCH_UNITS || 25);
const CONSOLES = Number(process.env.BENCH_CONSOLES || 2);
const TOPIC = 'fazhi/ai-camera/community.camera_event';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] };
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'fazhi-bench-dispatch-'));
  const children = [];
  const cleanup = () => { for (const c of children) if (c.exitCode === null) c.kill('SIGTERM'); rmSync(work, { recursive: true, force: true }); };
  process.on('exit', cleanup);
  try {
    // The broker.
    const mport = await freePort();
    writeFileSync(path.join(work, 'm.conf'), `listener ${mport} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n`);
    children.push(spawn('mosquitto', ['-c', path.join(work, 'm.conf')], { stdio: 'ignore' }));
    await sleep(300);
    // fazhi, optimised build, wall clock.
    const hport = await freePort();
    const fz = spawn(BIN, ['serve', '--db', DB, '--listen', `127.0.0.1:${hport}`, '--mqtt', `127.0.0.1:${mport}`,
      '--mqtt-client-id', `fazhi-bench-${process.pid}`, '--log-level', 'warn', '--threads', '4'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(fz);
    let err = '';
    fz.stderr.on('data', (d) => { err += d; });
    await new Promise((resolve, reject) => {
      let out = '';
      fz.stdout.on('data', (d) => { out += d; if (/listening on/.test(out)) resolve(); });
      fz.on('exit', (c) => reject(new Error(`fazhi exited ${c}: ${err}`)));
    });
    const url = `http://127.0.0.1:${hport}`;
    for (let i = 0; i < 100; i++) {
      const m = await (await fetch(`${url}/metrics`)).text();
      if (/fazhi_mqtt_connected 1/.test(m)) break;
      await sleep(50);
    }
    // The control rooms and their consoles.
    const cams = JSON.parse(readFileSync(path.join(ROOT, 'apps/community/cameras.json'), 'utf8')).cameras;
    const regions = [...new Set(cams.map((c) => c.region))].slice(0, UNITS);
    const camOf = new Map(regions.map((r) => [r, cams.find((c) => c.region === r).id]));
    const lat = [];
    const streams = [];
    const seen = new Set();
    for (const r of regions) {
      const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `control.${r}`, password: process.env.BENCH_PASSWORD || 'Jinhua@2026' }) });
      const { token } = await res.json();
      for (let k = 0; k < CONSOLES; k++) {
        const s = await openStream(url, token);
        s.events.push = (ev) => { // measure on arrival, keep nothing
          if (ev.event === 'dispatch.new') {
            const t = now();
            const sent = Number(String(ev.data.snapshot_ref).split('/')[1]);
            lat.push(t - sent);
            seen.add(ev.data.snapshot_ref);
          }
          return 0;
        };
        streams.push(s);
      }
    }
    // The peer: the broker alone.
    const peerLat = [];
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(mport), '-q', '1', '-t', TOPIC], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(sub);
    let sbuf = '';
    sub.stdout.on('data', (d) => {
      const t = now();
      sbuf += d;
      let i;
      while ((i = sbuf.indexOf('\n')) >= 0) {
        const line = sbuf.slice(0, i);
        sbuf = sbuf.slice(i + 1);
        const m = line.match(/"snapshot_ref":"bench\/([0-9.]+)"/);
        if (m) peerLat.push(t - Number(m[1]));
      }
    });
    await sleep(500);
    // The publisher: one connection, one line per message.
    const pub = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mport), '-q', '1', '-t', TOPIC, '-l'], { stdio: ['pipe', 'ignore', 'inherit'] });
    children.push(pub);
    const total = RATE * SECS;
    const tick = 10;
    const perTick = RATE * tick / 1000;
    let sent = 0;
    const start = now();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((now() - start) / 1000) * RATE) + perTick);
      let lines = '';
      for (; sent < due; sent++) {
        const r = regions[sent % regions.length];
        const plate = `浙G${String(sent % 100000).padStart(5, '0')}`;
        lines += `${JSON.stringify({ id: `b-${process.pid}-${sent}`, camera: camOf.get(r), at: new Date().toISOString(),
          kind: 'fire_lane', plate, lane: String(Math.floor(sent / 100000)), snapshot_ref: `bench/${now().toFixed(3)}`, dwell_s: 30 })}\n`;
      }
      if (lines) pub.stdin.write(lines);
      await sleep(tick);
    }
    const wall = (now() - start) / 1000;
    for (let i = 0; i < 200 && seen.size < total; i++) await sleep(50);
    pub.stdin.end();
    const f = quantiles(lat);
    const p = quantiles(peerLat);
    const fmt = (q) => `p50 ${q.p50.toFixed(2)} ms, p95 ${q.p95.toFixed(2)} ms, p99 ${q.p99.toFixed(2)} ms, max ${q.max.toFixed(2)} ms`;
    console.log(`bench: event to console, ${total} fire-lane events over MQTT at ${RATE}/s (${(total / wall).toFixed(0)}/s achieved) to ${regions.length} control rooms x ${CONSOLES} consoles (SSE), loopback`);
    console.log(`fazhi (MQTT -> ingest -> dispatch -> SSE): ${seen.size}/${total} events on a console; ${fmt(f)}`);
    console.log(`broker alone (mosquitto_sub):             ${p.n}/${total} messages; ${fmt(p)}`);
    console.log(`ratio of p99 fazhi/broker: ${(f.p99 / p.p99).toFixed(2)}; goal p99 < 100 ms: ${f.p99 < 100 && seen.size === total ? 'met' : 'NOT met'}`);
    for (const s of streams) await s.close();
  } finally {
    cleanup();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
