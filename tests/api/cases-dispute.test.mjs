// A dispute (矛盾纠纷兜底化解) from intake to return visit, with its
// statutory clock, the scheduler's warning, breach and escalation, and the
// engine's refusals (illegal step, wrong role, stale version, missing
// document, closed case).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi, eventually } from '../lib/fazhi.mjs';

const DAY = 24 * 3600 * 1000;
let h, grid, handler, leader, town, county;

before(async () => {
  h = await startFazhi({ args: ['--scheduler-interval', '50', '--session-ttl', '31536000'] });
  grid = await h.login('grid.330702001');
  handler = await h.login('handler.330702001');
  leader = await h.login('leader.330702');
  town = await h.login('handler.330702001');
  county = await h.login('handler.330702');
});
after(async () => { await h.stop(); });

async function act(token, code, op, body) {
  const cur = await h.api('GET', `/api/v1/cases/${code}`, { token });
  assert.equal(cur.status, 200, cur.text);
  return h.api('POST', `/api/v1/cases/${code}/actions/${op}`, { token, body: { version: cur.json.version, ...body } });
}

async function attach(token, code, name, document, bytes, type) {
  return h.api('POST', `/api/v1/cases/${code}/attachments?name=${encodeURIComponent(name)}&document=${document}`,
    { token, raw: bytes, headers: { 'content-type': type } });
}

/* waits until the scheduler has written an event of action onto the case */
function waitFor(token, code, action) {
  return eventually(async () => {
    const r = await h.api('GET', `/api/v1/cases/${code}`, { token });
    return r.json.timeline.some((e) => e.action === action) && r.json;
  }, `${action} on ${code}`);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

test('intake to return visit', async () => {
  let r = await h.api('POST', '/api/v1/cases', { token: grid, body: {
    type: 'dispute', region: '330702001008',
    fields: { summary: '楼上漏水引发邻里纠纷', parties: '张三、李四', category: 'neighbour', contact_phone: '13812345678' } } });
  assert.equal(r.status, 201, r.text);
  const c = r.json;
  assert.match(c.code, /^MD-330702-2026-\d{6}$/, '一事一编码: type, district, year, sequence');
  assert.equal(r.headers.get('location'), `/api/v1/cases/${c.code}`);
  assert.equal(c.state.name, 'intake');
  assert.equal(c.level.level, 'yellow');
  assert.equal(c.region.name, '桃园社区居委会');
  assert.equal(c.fields.parties, '张**', 'personal fields masked');
  assert.equal(c.fields.contact_phone, '138****5678');
  assert.ok(c.actions.some((a) => a.name === 'triage_simple'));

  // triage needs the complexity field: supplied with the step
  r = await act(handler, c.code, 'triage_complex', {});
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'fields/complexity');
  r = await act(handler, c.code, 'triage_complex', { fields: { complexity: 'complex' }, note: '涉及多户，先行乡镇调解' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'township');
  assert.equal(r.json.unit.name, '城东司法所', 'routed to the township justice office');
  const clock = r.json.clocks.find((k) => k.name === 'mediation');
  assert.equal(clock.status, 'running');
  assert.match(clock.basis, /人民调解工作若干规定 第三十三条/);
  // 30 natural days from 2026-03-02 09:00 (Shanghai): ends 2026-04-01 24:00 Shanghai
  assert.equal(clock.due_at, '2026-04-01T16:00:00.000Z');

  // resolving needs the agreement on file
  r = await act(town, c.code, 'resolve', { outcome: '达成赔偿协议' });
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'missing_documents');
  assert.match(r.json.detail, /人民调解协议书/);
  r = await attach(town, c.code, '调解协议书.pdf', 'agreement', PDF, 'application/pdf');
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.sha256, /^[0-9a-f]{64}$/);
  h.advance(10 * DAY);
  r = await act(town, c.code, 'resolve', { outcome: '达成赔偿协议，当事人已履行' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'resolved');
  assert.equal(r.json.level.level, 'green', 'green only on resolution');
  assert.equal(r.json.clocks[0].status, 'stopped');
  assert.ok(r.json.closed_at);

  // a closed case cannot be edited, only visited
  r = await act(town, c.code, 'fields', { fields: { amount: 5 } });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'case_closed');
  r = await act(grid, c.code, 'visit', { satisfaction: 5, note: '当事人满意' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.satisfaction, 5);
  r = await act(grid, c.code, 'visit', { satisfaction: 4 });
  assert.equal(r.status, 409, 'one return visit');

  const actions = r.json ? (await h.api('GET', `/api/v1/cases/${c.code}`, { token: grid })).json.timeline.map((e) => e.action) : [];
  assert.deepEqual(actions, ['create', 'transition.triage_complex', 'attach', 'transition.resolve', 'visit']);
  const auditor = await h.login('auditor.330702001');
  const log = await h.api('GET', `/api/v1/audit?object_type=case&object_id=${c.code}`, { token: auditor });
  assert.equal(log.json.items.length, 5, 'every operation is in the audit chain');
});

test('refusals: illegal step, wrong role, stale version, wrong scope', async () => {
  const r0 = await h.api('POST', '/api/v1/cases', { token: grid, body: {
    type: 'dispute', region: '330702001', fields: { summary: '宅基地边界争议', parties: '王五、赵六', category: 'land' } } });
  const c = r0.json;
  let r = await act(handler, c.code, 'resolve', { outcome: 'x' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'illegal_transition');
  r = await act(grid, c.code, 'triage_difficult', { fields: { complexity: 'difficult' } });
  assert.equal(r.status, 403, 'grid workers cannot send a case to a county leader');
  r = await h.api('POST', `/api/v1/cases/${c.code}/actions/comment`, { token: handler, body: { version: c.version + 7, note: 'x' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'stale_version');
  const other = await h.login('handler.330702002');
  r = await h.api('GET', `/api/v1/cases/${c.code}`, { token: other });
  assert.equal(r.status, 403, 'another township cannot read it');
  r = await h.api('POST', `/api/v1/cases/${c.code}/actions/comment`, { token: other, body: { version: 1, note: 'x' } });
  assert.equal(r.status, 403);
  r = await h.api('POST', '/api/v1/cases', { token: other, body: {
    type: 'dispute', region: '330702001', fields: { summary: 'x', parties: 'y', category: 'land' } } });
  assert.equal(r.status, 403);
  r = await h.api('POST', '/api/v1/cases', { token: grid, body: { type: 'dispute', region: '330702001', fields: { summary: 'x' } } });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'fields/parties');
  const list = await h.api('GET', '/api/v1/cases?type=dispute', { token: other });
  assert.ok(!list.json.items.some((x) => x.code === c.code));
});

test('the scheduler warns, marks the breach and escalates to the county leader', async () => {
  const r0 = await h.api('POST', '/api/v1/cases', { token: grid, body: {
    type: 'dispute', region: '330702001', fields: { summary: '欠薪纠纷', parties: '务工人员十二名', category: 'labour' } } });
  const c = r0.json;
  let r = await act(handler, c.code, 'triage_simple', { fields: { complexity: 'simple' } });
  assert.equal(r.json.state.name, 'village');
  const due = Date.parse(r.json.clocks[0].due_at);
  h.setNow(due - 5 * DAY); // past 80 % of the month
  let cur = await waitFor(grid, c.code, 'clock.warn');
  assert.equal(cur.overdue, false);
  h.setNow(due + 1);
  cur = await waitFor(grid, c.code, 'clock.breach');
  assert.equal(cur.overdue, true);
  assert.equal(cur.clocks[0].status, 'breached');
  assert.equal(cur.escalation.name, 'township', 'a breach moves it one rung up');
  assert.equal(cur.unit.name, '城东司法所');
  const overdue = await h.api('GET', '/api/v1/cases?overdue=1&type=dispute', { token: leader });
  assert.ok(overdue.json.items.some((x) => x.code === c.code));
});

test('pause, resume and extension shift the deadline, with reasons', async () => {
  const r0 = await h.api('POST', '/api/v1/cases', { token: grid, body: {
    type: 'dispute', region: '330702001', fields: { summary: '物业费纠纷', parties: '业主与物业公司', category: 'property' } } });
  let r = await act(handler, r0.json.code, 'triage_complex', { fields: { complexity: 'complex' } });
  const due0 = Date.parse(r.json.clocks[0].due_at);
  const pausedAt = h.now();
  r = await act(handler, r0.json.code, 'pause', { note: '等待房屋质量鉴定' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.clocks[0].status, 'paused');
  h.advance(2 * DAY);
  r = await act(handler, r0.json.code, 'resume', { note: '鉴定报告已出' });
  // paused time does not count: the days left after the pause day are
  // counted afresh from the resumption, with the clock's holiday rule
  const day = (ms) => Math.floor((ms + 8 * 3600 * 1000) / DAY);
  const left = day(due0 - 1) - day(pausedAt);
  const cal = await h.api('GET', `/api/v1/calendar/deadline?start=${new Date(h.now()).toISOString()}&amount=${left}&unit=days&rule=next_workday`, { token: handler });
  assert.equal(cal.status, 200, cal.text);
  assert.equal(r.json.clocks[0].due_at, cal.json.deadline);
  assert.ok(Date.parse(r.json.clocks[0].due_at) >= due0 + 2 * DAY);
  r = await act(handler, r0.json.code, 'extend', { amount: 10, unit: 'days', note: '当事人申请延期' });
  assert.equal(r.status, 403, 'only a leader approves an extension');
  const townLeader = await h.login('leader.330702001');
  r = await act(townLeader, r0.json.code, 'extend', { amount: 10, unit: 'days', note: '当事人申请延期' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.clocks[0].extensions[0].approver, 'leader.330702001');
  assert.ok(Date.parse(r.json.clocks[0].due_at) >= due0 + 12 * DAY);
});

test('attachments are checked', async () => {
  const r0 = await h.api('POST', '/api/v1/cases', { token: grid, body: {
    type: 'dispute', region: '330702001', fields: { summary: '噪音扰民', parties: '楼上楼下', category: 'neighbour' } } });
  let r = await attach(grid, r0.json.code, 'x.pdf', '', Buffer.from('not a pdf'), 'application/pdf');
  assert.equal(r.status, 415);
  r = await attach(grid, r0.json.code, 'x.exe', '', Buffer.from('MZ'), 'application/x-msdownload');
  assert.equal(r.status, 415);
  r = await attach(grid, r0.json.code, 'x.pdf', 'nonsense', PDF, 'application/pdf');
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'document');
  r = await attach(grid, r0.json.code, '现场照片说明.txt', '', Buffer.from('现场有积水'), 'text/plain');
  assert.equal(r.status, 201);
  const dl = await h.api('GET', `/api/v1/cases/${r0.json.code}/attachments/${r.json.id}`, { token: grid });
  assert.equal(dl.text, '现场有积水');
  assert.equal(dl.headers.get('content-disposition'),
    `attachment; filename="download"; filename*=UTF-8''${encodeURIComponent('现场照片说明.txt')}`);
});

test('deadlines that fell due while the server was down are caught up at start', async () => {
  const r0 = await h.api('POST', '/api/v1/cases', { token: grid, body: {
    type: 'dispute', region: '330702001', fields: { summary: '停车位纠纷', parties: '两位业主', category: 'property' } } });
  const r = await act(handler, r0.json.code, 'triage_complex', { fields: { complexity: 'complex' } });
  const due = Date.parse(r.json.clocks[0].due_at);
  await h.restart(); // stopped ...
  h.setNow(due + 3 * DAY); // ... for days; the token outlives it (long session lifetime)
  await h.restart();
  const cur = await waitFor(grid, r0.json.code, 'clock.breach');
  const breach = cur.timeline.find((e) => e.action === 'clock.breach');
  assert.equal(breach.detail.due_at, new Date(due).toISOString(), 'stamped with the time it fell due');
  assert.equal(cur.clocks[0].breached_at, new Date(due).toISOString());
  assert.equal(cur.escalation.name, 'county', 'escalated from the township to the county');
  assert.equal(cur.level.level, 'yellow');
});

test("the workbench lists my unit's open cases, nobody else's", async () => {
  const r0 = await h.api('POST', '/api/v1/cases', { token: grid, body: {
    type: 'dispute', region: '330702001', fields: { summary: '工作台测试', parties: '甲乙', category: 'other' } } });
  await act(handler, r0.json.code, 'triage_complex', { fields: { complexity: 'complex' } });
  const mine = await h.api('GET', '/api/v1/cases?mine=1&open=1&limit=200', { token: handler });
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.json.items.some((c) => c.code === r0.json.code));
  assert.ok(mine.json.items.every((c) => c.unit.name === '城东司法所' && !c.closed_at));
  const other = await h.api('GET', '/api/v1/cases?mine=1&open=1&limit=200', { token: await h.login('handler.330702002') });
  assert.ok(!other.json.items.some((c) => c.code === r0.json.code));
});
