// Community-correction violations as cases, and the violations list a page
// at a time. A violation (pings out of the county on the injected clock)
// becomes an alert of the person's township justice office; "make case"
// opens a 违规处理 case there with the alert's explanation and links, the
// alert shows the case code, and another township's office can neither see
// nor act on either. Walking the case to a 警告 decision records it in the
// person's sanction history (the same record as POST /correction/sanctions),
// so with the warning decided earlier the next violation suggests 提请撤销;
// a proposal to revoke goes up to the district justice bureau. The
// violations list pages with a cursor without gaps or repeats and filters
// by person, kind, time and open/handled, in scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi, eventually, T0 } from '../lib/fazhi.mjs';

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (b) => b + '10X98765432'[[...b].reduce((s, c, i) => s + Number(c) * W[i], 0) % 11];
const HOME = [119.647, 29.079]; // 婺城区
const YIWU = [120.07, 29.30];
const WHO = 'SQJZ-CASE-001';

let h, admin, office, yiwu, bureau, key;
before(async () => {
  h = await startFazhi({ args: ['--scheduler-interval', '50', '--session-ttl', '31536000'] });
  admin = await h.login('admin.330700');
  office = await h.login('handler.330702001'); // 城东司法所, the person's office
  yiwu = await h.login('handler.330782001'); // a justice office in 义乌
  bureau = await h.login('handler.330702'); // 婺城区司法局
  const s = await h.api('POST', '/api/v1/sources', {
    token: admin, body: { name: 'jz-case', title: '测试用矫正终端', types: ['correction.ping', 'correction.checkin'] },
  });
  assert.equal(s.status, 201, s.text);
  key = s.json.key;
  const p = await h.api('POST', '/api/v1/correction/people', { token: admin,
    body: { id: WHO, name: '赵某', id_number: idNumber('33070219800101123'), township: '330702001', device: 'CASE-0001', home: HOME } });
  assert.equal(p.status, 201, p.text);
  const o = await h.api('POST', '/api/v1/correction/orders', { token: admin,
    body: { person_id: WHO, approved_by: '婺城区司法局局长', start: T0 - 3600e3, end: T0 + 80 * 86400e3 } });
  assert.equal(o.status, 201, o.text);
});
after(async () => { await h.stop(); });

let seq = 0;
const ping = (t, [lon, lat]) => ({ type: 'correction.ping', id: `c${++seq}`, device: 'CASE-0001', at: new Date(t).toISOString(), lon, lat });
const records = (rows) => h.api('POST', '/api/v1/records', {
  raw: rows.map((r) => JSON.stringify(r)).join('\n'),
  headers: { 'content-type': 'application/x-ndjson', 'x-source-key': key },
});
const mine = async () => (await h.api('GET', `/api/v1/correction/violations?person_id=${WHO}`, { token: admin })).json.items;
/* half an hour at home, then half an hour in 义乌: one out-of-area violation */
async function trip(t) {
  const before = (await mine()).length;
  const rows = [];
  for (let i = 0; i < 30; i++) rows.push(ping(t + i * 30e3, HOME));
  for (let i = 0; i < 40; i++) rows.push(ping(t + 900e3 + i * 30e3, YIWU));
  assert.equal((await records(rows)).status, 200);
  return (await eventually(async () => {
    const v = await mine();
    return v.length > before && v;
  }, 'a new violation', { every: 100 }))[0];
}
const openAlert = async (token) =>
  (await h.api('GET', '/api/v1/alerts?rule=correction.out_of_area&open=1', { token })).json.items.find((a) => a.subject === WHO);
async function act(token, code, op, body = {}) {
  const cur = await h.api('GET', `/api/v1/cases/${code}`, { token });
  assert.equal(cur.status, 200, cur.text);
  return h.api('POST', `/api/v1/cases/${code}/actions/${op}`, { token, body: { version: cur.json.version, ...body } });
}

test('a violation alert becomes a case of the supervising office; its 警告 moves the ladder to 提请撤销', async () => {
  // a warning decided earlier, the existing way
  const w = await h.api('POST', '/api/v1/correction/sanctions', { token: office, body: { person_id: WHO, sanction: 'warning', note: '第一次警告' } });
  assert.equal(w.status, 201, w.text);
  const v = await trip(T0 + 3600e3);
  assert.equal(v.kind, 'out_of_area');
  assert.equal(v.suggested.title, '训诫', 'one warning, no admonition: the ladder starts again at 训诫');
  assert.equal(v.handled, false);
  const al = await openAlert(office);
  assert.ok(al, 'the office sees the alert');
  assert.equal(v.alert.id, al.id, 'the violation names its alert');

  // another township's office neither sees the alert nor makes it a case
  assert.equal(await openAlert(yiwu), undefined);
  const far = await h.api('POST', `/api/v1/alerts/${al.id}/case`, { token: yiwu });
  assert.equal(far.status, 404);

  const made = await h.api('POST', `/api/v1/alerts/${al.id}/case`, { token: office });
  assert.equal(made.status, 201, made.text);
  const code = made.json.case_code;
  assert.match(code, /^JZ-330702-2026-\d{6}$/);
  assert.equal(made.json.status, 'case');
  const shown = await h.api('GET', `/api/v1/alerts/${al.id}`, { token: office });
  assert.equal(shown.json.case_code, code, 'the alert shows its case code');
  const again = await h.api('POST', `/api/v1/alerts/${al.id}/case`, { token: office });
  assert.equal(again.status, 409);

  let c = (await h.api('GET', `/api/v1/cases/${code}`, { token: office })).json;
  assert.equal(c.type.name || c.type, 'correction_violation');
  assert.equal(c.region.code, '330702001', "the person's township");
  assert.equal(c.unit.name, '城东司法所', "the person's supervising justice office");
  assert.equal(c.state.name, 'registered');
  assert.equal(c.fields.person_id, WHO);
  assert.equal(c.fields.kind, 'out_of_area');
  assert.equal(c.fields.violation_id, v.id);
  assert.equal(c.fields.alert_id, al.id);
  assert.equal(c.fields.suggested, '训诫');
  assert.match(c.fields.summary, /^社区矫正：未经批准离开所居住市县：.*；建议处理：训诫/);
  // the violation is handled now, and names the case
  const [listed] = await mine();
  assert.equal(listed.alert.case_code, code);
  assert.equal(listed.handled, true);

  // 义乌's office can neither read nor step the case
  const peek = await h.api('GET', `/api/v1/cases/${code}`, { token: yiwu });
  assert.ok([403, 404].includes(peek.status), peek.text);
  const push = await h.api('POST', `/api/v1/cases/${code}/actions/verify`, { token: yiwu,
    body: { version: c.version, fields: { statement: 'x', evidence: 'y' } } });
  assert.ok([403, 404].includes(push.status), push.text);
  const listedFar = (await h.api('GET', `/api/v1/cases?type=correction_violation`, { token: yiwu })).json.items;
  assert.ok(!listedFar.some((x) => x.code === code));

  // verify, then decide a warning
  let r = await act(office, code, 'verify', {});
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'fields/statement');
  r = await act(office, code, 'verify', { fields: { statement: '本人称去义乌探亲，未请假', evidence: '定位轨迹显示在义乌停留 20 分钟' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'verified');
  r = await act(office, code, 'decide', { fields: { sanction: 'warning', reasons: '受到警告后再次擅自离开居住县区' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'decided');

  // recorded as a sanction decision like POST /correction/sanctions, audited
  const decided = (await h.api('GET', `/api/v1/correction/sanctions?person_id=${WHO}`, { token: office })).json.items;
  assert.equal(decided.length, 2);
  assert.equal(decided[0].sanction, 'warning');
  assert.equal(decided[0].title, '警告');
  assert.equal(decided[0].case_code, code);
  assert.equal(decided[0].violation_id, v.id);
  assert.equal(decided[0].decided_by, 'handler.330702001');
  assert.match(decided[0].note, new RegExp(`${code}：受到警告后再次擅自离开居住县区`));
  const auditor = await h.login('auditor.330700');
  const audit = (await h.api('GET', '/api/v1/audit?action=correction.sanction', { token: auditor })).json.items;
  assert.equal(audit.length, 2);
  assert.match(audit[0].summary, /警告/);

  // a warning is not a proposal to revoke: that step is refused; finishing closes it
  r = await act(office, code, 'propose', {});
  assert.equal(r.status, 409, r.text);
  assert.match(r.json.detail, /警告/);
  c = (await h.api('GET', `/api/v1/cases/${code}`, { token: office })).json;
  assert.equal(c.state.name, 'decided', 'the refused step changed nothing');
  r = await act(office, code, 'finish', { fields: { decision_no: '婺司矫警〔2026〕1号' }, outcome: '警告决定书已送达本人' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'closed');

  // two warnings decided: the next violation suggests the proposal to revoke
  const next = await trip(T0 + 3 * 3600e3);
  assert.match(next.suggested.title, /^提请撤销/, JSON.stringify(next));
  assert.equal(next.handled, false);
  const fresh = await openAlert(office);
  assert.ok(fresh && fresh.id !== al.id, 'a new alert: the old one became a case');
  assert.equal(fresh.evidence, 1);
});

test('a proposal to revoke goes to the district justice bureau, which records the ruling', async () => {
  const al = await openAlert(office);
  const made = await h.api('POST', `/api/v1/alerts/${al.id}/case`, { token: office });
  assert.equal(made.status, 201, made.text);
  const code = made.json.case_code;
  let r = await act(office, code, 'verify', { fields: { statement: '无正当理由', evidence: '定位轨迹' } });
  assert.equal(r.status, 200, r.text);
  r = await act(office, code, 'decide', { fields: { sanction: 'fine', reasons: 'x' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'fields/sanction');
  r = await act(office, code, 'decide', { fields: { sanction: 'revocation', reasons: '两次警告仍不改正' } });
  assert.equal(r.status, 200, r.text);
  r = await act(office, code, 'finish', { fields: { decision_no: 'x' }, outcome: 'x' });
  assert.equal(r.status, 409, 'a proposal to revoke is not closed by the office');
  r = await act(office, code, 'propose', {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'proposed');
  assert.equal(r.json.unit.name, '婺城区司法局');
  assert.equal(r.json.clocks.length, 0, 'DOMAIN.md gives no deadline: no invented clock');
  r = await act(bureau, code, 'ruled', { fields: { proposal_to: 'court', proposal_no: '婺司矫建〔2026〕1号', ruling: '法院裁定撤销缓刑' }, outcome: '已裁定撤销缓刑' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.state.name, 'closed');
  const decided = (await h.api('GET', `/api/v1/correction/sanctions?person_id=${WHO}`, { token: office })).json.items;
  assert.deepEqual(decided.map((d) => d.sanction), ['revocation', 'warning', 'warning']);
});

/* every violation matching q, page by page (limit per page) */
async function pageAll(q, token = admin, limit = 200) {
  const all = [];
  let cursor = '', pages = 0;
  do {
    const r = await h.api('GET', `/api/v1/correction/violations?limit=${limit}${q ? `&${q}` : ''}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length <= limit);
    all.push(...r.json.items);
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor && pages < 1000);
  return { all, pages };
}

test('a decision about someone outside the office is refused with the step: nothing is recorded', async () => {
  const other = (await h.api('GET', '/api/v1/correction/people', { token: admin })).json.items.find((p) => p.township.code.startsWith('330782'));
  const before = (await h.api('GET', `/api/v1/correction/sanctions?person_id=${other.id}`, { token: admin })).json.items.length;
  const r0 = await h.api('POST', '/api/v1/cases', { token: office, body: { type: 'correction_violation', region: '330702001',
    fields: { person_id: other.id, kind: 'curfew', violation_id: 1, summary: '手工立案' } } });
  assert.equal(r0.status, 201, r0.text);
  const code = r0.json.code;
  let r = await act(office, code, 'verify', { fields: { statement: 'x', evidence: 'y' } });
  assert.equal(r.status, 200, r.text);
  r = await act(office, code, 'decide', { fields: { sanction: 'admonition', reasons: '训诫' } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.field, 'fields/person_id');
  const c = (await h.api('GET', `/api/v1/cases/${code}`, { token: office })).json;
  assert.equal(c.state.name, 'verified', 'the step was rolled back with the decision');
  assert.equal(c.fields.sanction, undefined);
  assert.equal((await h.api('GET', `/api/v1/correction/sanctions?person_id=${other.id}`, { token: admin })).json.items.length, before);
});

test('the violations list pages without gaps or repeats and filters, in scope', async () => {
  const { all, pages } = await pageAll('', admin, 7);
  assert.ok(pages > 2, 'several pages');
  const ids = all.map((v) => v.id);
  assert.equal(new Set(ids).size, ids.length, 'no repeats');
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
  const big = await pageAll('');
  assert.deepEqual(ids, big.all.map((v) => v.id), 'no gaps: small pages give what large ones do');
  const first = (await h.api('GET', '/api/v1/correction/violations', { token: admin })).json;
  assert.equal(first.items.length, 50, 'default page of 50');
  assert.deepEqual(first.items.map((v) => v.id), ids.slice(0, 50));

  // filters
  const kind = (await pageAll('kind=curfew')).all;
  assert.ok(kind.length > 0);
  assert.ok(kind.every((v) => v.kind === 'curfew'));
  assert.equal(kind.length, all.filter((v) => v.kind === 'curfew').length);
  const open = (await pageAll('status=open', admin, 13)).all, handled = (await pageAll('status=handled', admin, 13)).all;
  assert.ok(open.every((v) => !v.handled) && handled.every((v) => v.handled));
  assert.ok(handled.some((v) => v.person_id === WHO && v.alert.case_code.startsWith('JZ-')));
  assert.ok(open.some((v) => v.person_id !== WHO), 'the demo\'s violations are open');
  assert.equal(open.length + handled.length, all.length, 'open and handled split the list');
  const since = new Date(T0 + 3600e3).toISOString(), until = new Date(T0 + 2 * 3600e3).toISOString();
  const window = (await h.api('GET', `/api/v1/correction/violations?person_id=${WHO}&since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`, { token: admin })).json.items;
  assert.equal(window.length, 1, 'only the first trip');
  assert.ok(window[0].at >= T0 + 3600e3 && window[0].at < T0 + 2 * 3600e3);

  // bad input names the field
  for (const [q, field] of [['kind=speeding', 'kind'], ['status=closed', 'status'], ['since=yesterday', 'since'], ['cursor=abc', 'cursor'], ['limit=500', 'limit']]) {
    const r = await h.api('GET', `/api/v1/correction/violations?${q}`, { token: admin });
    assert.equal(r.status, 400, q);
    assert.equal(r.json.field, field, q);
  }
  // scope: 义乌's office sees only 义乌's people
  const people = new Set((await h.api('GET', '/api/v1/correction/people', { token: yiwu })).json.items.map((p) => p.id));
  const theirs = (await pageAll('', yiwu)).all;
  assert.ok(theirs.length > 0);
  assert.ok(theirs.every((v) => people.has(v.person_id)));
  assert.ok(!theirs.some((v) => v.person_id === WHO));
});

test('after a restart the warning decided in the case still counts', async () => {
  await h.restart();
  admin = await h.login('admin.330700');
  const v = await trip(T0 + 5 * 3600e3);
  assert.match(v.suggested.title, /^提请撤销/, JSON.stringify(v));
  assert.ok(v.alert && v.alert.status === 'new', 'a new open alert');
});
