// 行刑衔接 (Decree 310), township legality review, minors' mandatory report,
// indicators, and pack reloading: the engine driven through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync, cpSync } from 'node:fs';
import path from 'node:path';
import { startFazhi, ROOT, T0, eventually } from '../lib/fazhi.mjs';

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
let h, apps;

before(async () => {
  // a private copy of the packs, so that the reload test can break one
  apps = path.join(ROOT, 'build', 'test-artifacts', `apps-${process.pid}`);
  rmSync(apps, { recursive: true, force: true });
  mkdirSync(path.dirname(apps), { recursive: true });
  cpSync(path.join(ROOT, 'apps'), apps, { recursive: true });
  h = await startFazhi({ args: ['--scheduler-interval', '50', '--session-ttl', '31536000', '--apps-dir', apps] });
});
after(async () => { await h.stop(); rmSync(apps, { recursive: true, force: true }); });

async function act(token, code, op, body = {}) {
  const cur = await h.api('GET', `/api/v1/cases/${code}`, { token });
  assert.equal(cur.status, 200, cur.text);
  return h.api('POST', `/api/v1/cases/${code}/actions/${op}`, { token, body: { version: cur.json.version, ...body } });
}
async function upload(token, code, document) {
  const r = await h.api('POST', `/api/v1/cases/${code}/attachments?name=${document}.pdf&document=${document}`,
    { token, raw: PDF, headers: { 'content-type': 'application/pdf' } });
  assert.equal(r.status, 201, r.text);
}
async function unitId(token, kind, region) {
  const r = await h.api('GET', `/api/v1/units?kind=${kind}&region=${region}`, { token });
  return r.json.items.find((u) => u.region.code === region).id;
}

test('行刑衔接: transfer, refusal, re-transfer, not filed, reconsideration, filed', async () => {
  const market = await h.login('market.330702');
  const head = await h.login('marketlead.330702');
  const police = await h.login('police.330702');
  const proc = await h.login('proc.330702');
  let r = await h.api('POST', '/api/v1/cases', { token: market, body: { type: 'xingxing', region: '330702', fields: {
    case_name: '某食品公司生产销售不符合安全标准的食品案', suspect: '金华某食品有限公司',
    suspected_crime: '生产、销售不符合安全标准的食品罪', facts: '抽检发现致病菌超标……', team: '执法人员甲、执法人员乙', amount: 680000 } } });
  assert.equal(r.status, 201, r.text);
  const code = r.json.code;
  assert.match(code, /^XX-330702-2026-/);
  assert.equal(r.json.unit.name, '婺城区市场监督管理局');

  r = await act(market, code, 'submit');
  assert.equal(r.json.code, 'missing_documents', 'the written report comes first');
  await upload(market, code, 'report');
  r = await act(market, code, 'submit');
  assert.equal(r.json.state.name, 'approval');
  assert.match(r.json.clocks.find((k) => k.status === 'running').basis, /3日内/);
  r = await act(market, code, 'approve');
  assert.equal(r.status, 403, 'only the head approves');
  r = await act(head, code, 'approve');
  assert.equal(r.json.state.name, 'approved');
  const transfer = r.json.clocks.find((k) => k.name === 'transfer');
  assert.equal(Date.parse(transfer.due_at) - h.now(), 24 * 3600 * 1000, '24 hours to transfer');

  const psb = await unitId(market, 'psb', '330702');
  r = await act(market, code, 'transfer', { unit_id: psb });
  assert.equal(r.json.code, 'missing_documents');
  for (const d of ['transfer_letter', 'investigation_report', 'seized_list', 'test_report']) await upload(market, code, d);
  const court = await unitId(market, 'court', '330702');
  r = await act(market, code, 'transfer', { unit_id: court });
  assert.equal(r.status, 400, 'a court is not a police organ');
  r = await act(market, code, 'transfer', { unit_id: psb });
  assert.equal(r.json.state.name, 'at_police');
  assert.equal(r.json.pending_unit.name, '金华市公安局婺城分局');

  let inbox = await h.api('GET', '/api/v1/inbox', { token: police });
  assert.ok(inbox.json.items.some((c) => c.code === code));
  r = await act(police, code, 'return', { reason_code: 'nonsense' });
  assert.equal(r.status, 400);
  r = await act(police, code, 'return', { reason_code: 'incomplete', note: '缺少检验报告原件' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'approved');
  assert.equal(r.json.bounces, 1, 'the bounce is counted');
  assert.equal(r.json.pending_unit, null);
  r = await act(market, code, 'transfer', { unit_id: psb });
  r = await act(police, code, 'receive');
  assert.equal(r.json.state.name, 'police_review');
  assert.equal(r.json.unit.name, '金华市公安局婺城分局');
  assert.equal(r.json.origin_unit.name, '婺城区市场监督管理局');
  r = await act(police, code, 'not_file', { fields: { refusal_reasons: '现有证据不足以证明致病菌超标系生产环节造成' } });
  assert.equal(r.json.state.name, 'not_filed');
  r = await act(police, code, 'request_reconsideration');
  assert.equal(r.status, 403, 'only the transferring agency asks for reconsideration');
  await upload(market, code, 'reconsideration_request');
  r = await act(market, code, 'request_reconsideration');
  assert.equal(r.json.state.name, 'reconsideration');
  r = await act(police, code, 'reconsider_file', { fields: { reconsideration_result: '撤销原决定，予以立案' }, outcome: '复议后立案侦查' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'filed');
  assert.equal(r.json.state.final, true);

  // the procuratorate of the district sees every transfer
  const seen = await h.api('GET', `/api/v1/cases/${code}`, { token: proc });
  assert.equal(seen.status, 200);
  const list = await h.api('GET', '/api/v1/cases?type=xingxing', { token: proc });
  assert.ok(list.json.items.some((c) => c.code === code));
  const other = await h.login('proc.330703');
  assert.equal((await h.api('GET', `/api/v1/cases/${code}`, { token: other })).status, 403);
});

test('legality review runs 7 working days across National Day', async () => {
  const office = await h.login('handler.330702001');
  const leader = await h.login('leader.330702001');
  h.setNow(Date.UTC(2026, 8, 29, 1, 0, 0)); // Tue 2026-09-29 09:00 Shanghai
  let r = await h.api('POST', '/api/v1/cases', { token: leader, body: { type: 'legality', region: '330702001', fields: {
    document_title: '城东街道老旧小区改造实施方案', scope: 'major_decision', submitted_by: '城东街道办事处', summary: '……' } } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.unit.name, '城东司法所', 'routed to the township justice office');
  await upload(office, r.json.code, 'draft');
  r = await act(office, r.json.code, 'accept');
  assert.equal(r.json.state.name, 'reviewing');
  // seven working days from 2026-09-29 skip the National Day holiday; the
  // calendar endpoint and the case clock must agree on the day
  const due = r.json.clocks[0].due_at;
  const cal = await h.api('GET', `/api/v1/calendar/deadline?start=${encodeURIComponent(new Date(h.now()).toISOString())}&amount=7&unit=workdays`, { token: office });
  assert.equal(cal.status, 200, cal.text);
  assert.equal(due, cal.json.deadline, 'the case clock and the calendar endpoint agree');
  assert.ok(cal.json.skipped.some((x) => x.date === '2026-10-01'), 'National Day is skipped');
  assert.ok(Date.parse(due) > Date.UTC(2026, 9, 8), `due ${due} is after the holiday`);
});

test('minor report goes at once to the police station; civil affairs and education see it', async () => {
  const grid = await h.login('grid.330702001');
  let r = await h.api('POST', '/api/v1/cases', { token: grid, body: { type: 'minor', region: '330702001008', fields: {
    situation: 'abuse_neglect', description: '儿童多日独自在家，身上有伤痕', child_age: 7, place: '桃园社区某幢',
    reporter: '桃园社区网格员', reporter_phone: '13900001111' } } });
  assert.equal(r.status, 201, r.text);
  const code = r.json.code;
  assert.equal(r.json.unit.name, '城东派出所');
  assert.equal(r.json.clocks[0].name, 'acceptance');
  for (const u of ['civil.330702', 'edu.330702', 'police.330702001']) {
    const t = await h.login(u);
    assert.equal((await h.api('GET', `/api/v1/cases/${code}`, { token: t })).status, 200, u);
  }
  const police = await h.login('police.330702001');
  r = await act(police, code, 'accept');
  r = await act(police, code, 'handle', { fields: { measures: '联系监护人，协调民政临时照料' } });
  r = await act(police, code, 'tell_reporter', { outcome: '已告知报告人处置结果' });
  assert.equal(r.json.state.name, 'told');
});

test('indicators are computed from the cases', async () => {
  const leader = await h.login('leader.330700');
  // from T0: the test's own transfer, not the demo's earlier ones
  const r = await h.api('GET', `/api/v1/indicators/cases?type=xingxing&group=region&from=${new Date(T0).toISOString()}`, { token: leader });
  assert.equal(r.status, 200, r.text);
  const row = r.json.items.find((x) => x.region && x.region.code === '330702');
  assert.equal(row.accepted, 1);
  assert.equal(row.closed, 1);
  assert.equal(row.resolution_rate, 100);
  assert.equal(row.bounces, 1);
  assert.ok(row.mean_hours >= 0);
});

test('a broken pack is refused on reload, the others load, running cases keep their version', async () => {
  const admin = await h.login('admin.330700');
  const file = path.join(apps, 'minor', 'case-types', 'minor.json');
  const def = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));
  def.title = '未成年人强制报告（修订）';
  writeFileSync(file, JSON.stringify(def));
  writeFileSync(path.join(apps, 'legality', 'case-types', 'legality.json'), '{"type":"legality","title":"x","code_prefix":"HF","fields":[],"states":[]}');
  const r = await h.api('POST', '/api/v1/packs/reload', { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.new_versions, 1);
  assert.equal(r.json.problems.length, 1);
  assert.match(r.json.problems[0], /^legality: apps\/legality\/case-types\/legality\.json: \/fields: /);
  const types = await h.api('GET', '/api/v1/case-types', { token: admin });
  const minor = types.json.items.find((t) => t.type === 'minor');
  assert.equal(minor.version, 2);
  assert.equal(minor.title, '未成年人强制报告（修订）');
  assert.equal(types.json.items.find((t) => t.type === 'legality').version, 1, 'the refused pack keeps its version');
  const old = await h.api('GET', '/api/v1/cases?type=minor', { token: admin });
  assert.ok(old.json.items.every((c) => c.type_version === 1), 'running cases stay on their version');
});

test("the demo city's 2025 disputes give the seed's figures: 373 accepted, 361 closed, 96.8 %", async () => {
  const leader = await h.login('leader.330700');
  const r = await h.api('GET', '/api/v1/indicators/cases?type=dispute&from=2025-01-01&to=2026-01-01', { token: leader });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 1);
  const all = r.json.items[0];
  assert.equal(all.accepted, 373);
  assert.equal(all.closed, 361);
  assert.equal(all.resolution_rate, 96.8);
  assert.ok(all.median_hours > 0 && all.mean_hours > 0);
  const byRegion = await h.api('GET', '/api/v1/indicators/cases?type=dispute&from=2025-01-01&to=2026-01-01&group=region', { token: leader });
  assert.equal(byRegion.json.items.reduce((n, x) => n + x.accepted, 0), 373, 'the districts add up to the city');
  assert.ok(byRegion.json.items.length >= 8);
  const district = await h.login('leader.330702');
  const mine = await h.api('GET', '/api/v1/indicators/cases?type=dispute&from=2025-01-01&to=2026-01-01', { token: district });
  assert.ok(mine.json.items[0].accepted < 373, 'a district leader sees the district only');
});

test('`fazhi reload` (SIGHUP) loads a changed pack without a restart', async () => {
  const { execFileSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const { BIN } = await import('../lib/fazhi.mjs');
  const admin = await h.login('admin.330700');
  const file = path.join(apps, 'dispute', 'case-types', 'dispute.json');
  const def = JSON.parse(readFileSync(file, 'utf8'));
  def.title = '矛盾纠纷兜底化解（新版）';
  writeFileSync(file, JSON.stringify(def));
  const out = execFileSync(BIN, ['reload', '--db', h.db], { encoding: 'utf8' });
  assert.match(out, /asked server \d+ to reload/);
  const dispute = await eventually(async () => {
    const types = await h.api('GET', '/api/v1/case-types', { token: admin });
    return types.json.items.find((t) => t.type === 'dispute' && t.version === 2);
  }, 'version 2 of the dispute type after the reload');
  assert.equal(dispute.title, '矛盾纠纷兜底化解（新版）');
});
