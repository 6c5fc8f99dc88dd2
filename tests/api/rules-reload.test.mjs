// Reloading the packs reloads their rules: an edited threshold applies to
// the next record with state rebuilt from the stored ones, and a broken rule
// file is reported naming file and pointer while the pack keeps its previous
// rules. The server runs on a copy of apps/ so the test can edit it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFazhi, ROOT, eventually } from '../lib/fazhi.mjs';

const DAY = 86400000;
let h, admin, leader, key, apps;
const ruleFile = () => path.join(apps, 'overload/rules/repeat_offender.json');

before(async () => {
  apps = mkdtempSync(path.join(tmpdir(), 'fazhi-apps-'));
  cpSync(path.join(ROOT, 'apps'), apps, { recursive: true });
  h = await startFazhi({ args: ['--apps-dir', apps] });
  admin = await h.login('admin.330700');
  leader = await h.login('leader.330700');
  const r = await h.api('POST', '/api/v1/sources', {
    token: admin, body: { name: 'jt-wim-reload', title: '测试称重', types: ['overload.weighing'] },
  });
  assert.equal(r.status, 201, r.text);
  key = r.json.key;
});
after(async () => { await h.stop(); rmSync(apps, { recursive: true, force: true }); });

const weigh = (plate, n, at) => h.api('POST', '/api/v1/records', {
  raw: JSON.stringify({
    type: 'overload.weighing', id: `r-${plate}-${n}`, station: 'JH-TEST-02', at: new Date(at).toISOString(),
    plate, axles: 2, vehicle_kind: 'truck', gross_kg: 30000, speed_kmh: 50, lane: 1, lon: 119.62, lat: 29.09,
  }),
  headers: { 'content-type': 'application/json', 'x-source-key': key },
});
/* the open alert of plate once the rules have seen its records (and, with
 * level, once it has that level) */
const alertOf = (plate, level) => eventually(async () => {
  const r = await h.api('GET', '/api/v1/alerts?rule=overload.repeat_offender&open=1&limit=200', { token: leader });
  return r.json.items.find((x) => x.subject === plate && (!level || x.level === level));
}, `an alert on ${plate}${level ? ` at ${level}` : ''}`);

test('an edited threshold applies after reload, counting the records stored before', async () => {
  const t = h.now() - 40 * DAY;
  for (let i = 0; i < 3; i++) assert.ok((await weigh('浙G5R8T2', i, t + i * DAY)).status < 300);
  let a = await alertOf('浙G5R8T2');
  assert.equal(a.level, 'yellow'); // 3 overloads: not more than 3
  const def = JSON.parse(readFileSync(ruleFile(), 'utf8'));
  def.params.red_count = 2;
  writeFileSync(ruleFile(), JSON.stringify(def, null, 2));
  const r = await h.api('POST', '/api/v1/packs/reload', { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.rules, 4);
  assert.deepEqual(r.json.problems, []);
  const rule = await h.api('GET', '/api/v1/rules/overload.repeat_offender', { token: leader });
  assert.equal(rule.json.params.red_count, 2);
  await weigh('浙G5R8T2', 3, t + 3 * DAY);
  a = await alertOf('浙G5R8T2', 'red');
  assert.ok(a.summary.some((s) => s.includes('近一年超限 4 次，超过 2 次')), JSON.stringify(a.summary));
});

test('a broken rule file is reported; the pack keeps its rules', async () => {
  writeFileSync(ruleFile(), readFileSync(ruleFile(), 'utf8').replace('"gross_kg > limit_kg"', '"gross_kg >"'));
  const r = await h.api('POST', '/api/v1/packs/reload', { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.problems.some((p) => p.includes('rules/repeat_offender.json: /filter')), JSON.stringify(r.json.problems));
  const rule = await h.api('GET', '/api/v1/rules/overload.repeat_offender', { token: leader });
  assert.equal(rule.status, 200);
  assert.equal(rule.json.params.red_count, 2); // the previous version stays
});
