// Browser tests of the case pages of the console: a dispute from intake to
// return visit, and an administrative-to-criminal transfer (行刑衔接) through
// a refusal and a reconsideration, each step taken by the user whose turn it
// is, through the console only. Headless Debian chromium driven by
// playwright-core against the real fazhi binary with the demo city and an
// injected clock (the clock moves with h.advance, never with the wall clock).
//
//   node --test tests/browser/cases.test.mjs
//
// A case detail screenshot is saved to build/test-artifacts/case-detail.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startConsole, inp, area, until, ARTIFACTS } from '../lib/browser.mjs';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

let h;
let browser;
let files; // temp dir with the documents to upload

const newPage = () => ui.newPage();
const closePage = (page) => ui.closePage(page);
const signIn = (page, user) => ui.signIn(page, user);

let ui;
before(async () => {
  ui = await startConsole({ args: ['--scheduler-interval', '50', '--session-ttl', '31536000'] });
  ({ h, browser } = ui);
  files = mkdtempSync(path.join(tmpdir(), 'fazhi-docs-'));
});

after(async () => {
  if (ui) await ui.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

/** A tiny valid PDF written to the temp dir under name. */
function pdf(name, text = 'fazhi') {
  const p = path.join(files, name);
  writeFileSync(p, `%PDF-1.4\n% ${text}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`);
  return p;
}

const navItems = (page) =>
  page.locator('[data-test=nav] [data-test^=nav-]').evaluateAll((els) => els.map((e) => e.textContent.trim()));

/** Open a select (by its data-test, inside scope) and pick the option showing text. */
async function choose(page, scope, name, text) {
  await scope.locator(`[data-test=${name}]`).first().click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

/** Open the detail page of a case. */
async function openCase(page, code) {
  const url = `${h.url}/#/cases?code=${code}`;
  const again = page.url() === url;
  await page.goto(url);
  if (again) await page.reload(); // the same address does not load anew
  await page.locator(`[data-test=case-detail][data-code="${code}"] [data-test=case-code]`).waitFor();
}

const detail = (page) => page.locator('[data-test=case-detail]');
const stateOf = (page) => detail(page).locator('[data-test=case-state]').getAttribute('data-state');

async function waitState(page, state) {
  await until(async () => (await stateOf(page)) === state, `state ${state}`);
}

/** The action dialog that is open. */
const dialog = (page) => page.locator('.el-dialog[data-test=action-dialog]:visible');

/** Click the action button `name` on the detail page; returns the open dialog. */
async function startAction(page, name) {
  await detail(page).locator(`[data-test=action-${name}]`).click();
  const d = dialog(page);
  await d.waitFor();
  assert.equal(await d.getAttribute('data-action'), name);
  return d;
}

/** Confirm the open dialog and wait for it to close. */
async function confirm(page) {
  const d = dialog(page);
  await d.locator('[data-test=dlg-confirm]').click();
  await d.waitFor({ state: 'hidden' });
}

/** Upload a file for document `doc` through the checklist of the detail page. */
async function uploadDoc(page, doc, file) {
  const row = detail(page).locator(`[data-test=case-document][data-doc=${doc}]`);
  await row.locator(`[data-test=doc-file-${doc}]`).setInputFiles(file);
  await detail(page).locator(`[data-test=case-document][data-doc=${doc}][data-on-file=true]`).waitFor();
}

const timelineActions = (page) =>
  detail(page).locator('[data-test=case-timeline-item]').evaluateAll((els) => els.map((e) => e.dataset.action));

/** How many items a list endpoint gives, over all its pages. */
async function countApi(token, url) {
  let n = 0;
  let cursor = '';
  for (;;) {
    const r = await h.api('GET', `${url}${url.includes('?') ? '&' : '?'}limit=200&cursor=${cursor}`, { token });
    assert.equal(r.status, 200, r.text);
    n += r.json.items.length;
    if (!r.json.next_cursor) return n;
    cursor = r.json.next_cursor;
  }
}

const CASE_NAV = ['工作台', '案件列表', '受理案件', '移送收件箱'];

test('a dispute from intake to return visit', async () => {
  // The grid worker lands on the workbench and opens a case with the generated form.
  const grid = await newPage();
  await signIn(grid, 'grid.330702001');
  await until(async () => (await grid.evaluate(() => location.hash)) === '#/workbench', 'landing on the workbench');
  assert.deepEqual(await navItems(grid), ['首页', ...CASE_NAV, '预警中心', '对象查询', '区划与地图', '地图', '社区矫正']);
  await grid.locator('[data-test=wb-inbox-count]').waitFor();
  await grid.locator('[data-test=wb-level-dispute-red]').waitFor();

  await grid.locator('[data-test=nav-create]').click();
  const form = grid.locator('[data-test=create-form]');
  await choose(grid, form, 'create-type', '矛盾纠纷兜底化解');
  // Every field of the type, with the input its type calls for.
  await form.locator(area('field-summary')).waitFor();
  assert.equal(await form.locator(area('field-parties')).count(), 1);
  assert.equal(await form.locator(inp('field-contact_phone')).count(), 1);
  assert.equal(await form.locator(inp('field-amount')).count(), 1);
  assert.equal(await form.locator(inp('field-agreement_date')).count(), 1);
  const required = await form.locator('.el-form-item.is-required .el-form-item__label').allInnerTexts();
  for (const t of ['纠纷概要', '当事人', '纠纷类别']) assert.ok(required.includes(t), `${t} not marked required: ${required}`);

  // The place: 城东街道 from the cascader (its first column is the worker's township).
  await form.locator('[data-test=create-region-cascader]').first().click();
  const panel = grid.locator('.region-cascader-popper:visible');
  const node = panel.locator('.el-cascader-node', { hasText: '城东街道' }).first();
  await node.locator('.el-radio').click();
  await until(async () => (await form.locator(inp('create-region-code')).inputValue()) === '330702001', 'the region code');
  await grid.keyboard.press('Escape');

  // Without the parties the server refuses, and says so next to that field.
  await form.locator(area('field-summary')).fill('楼上卫生间漏水，楼下住户天花板受损，双方协商未果');
  await choose(grid, form, 'field-category', '邻里纠纷');
  await form.locator(inp('field-contact_phone')).fill('13812345678');
  await form.locator(inp('field-amount')).fill('8000');
  await form.locator('[data-test=create-submit]').click();
  const partiesError = await until(async () => {
    const t = await form.locator('.el-form-item[data-field=parties] .el-form-item__error').innerText({ timeout: 200 });
    return t.trim();
  }, 'the parties field error');
  assert.match(partiesError, /必填/);
  await form.locator(area('field-parties')).fill('张三（楼上住户）、李四（楼下住户）');
  await form.locator('[data-test=create-submit]').click();

  const code = await until(async () => {
    const m = (await grid.evaluate(() => location.hash)).match(/code=(MD-330702-2026-\d{6})/);
    return m && m[1];
  }, 'the new case detail');
  await detail(grid).locator('[data-test=case-code]').waitFor();
  assert.equal(await detail(grid).locator('[data-test=case-code]').innerText(), code);
  assert.equal(await stateOf(grid), 'intake');
  assert.equal(await detail(grid).locator('[data-test=case-header] [data-test=case-level]').getAttribute('data-level'), 'yellow');
  assert.equal(await detail(grid).locator('[data-test=case-field-category]').innerText(), '邻里纠纷');
  // Personal fields are masked until a purpose is given (and audited).
  assert.equal(await detail(grid).locator('[data-test=case-field-parties]').innerText(), '张**');
  assert.equal(await detail(grid).locator('[data-test=case-field-contact_phone]').innerText(), '138****5678');
  await detail(grid).locator('[data-test=case-unmask]').click();
  const um = grid.locator('.el-dialog[data-test=unmask-dialog]');
  await um.locator(inp('unmask-purpose')).fill('电话联系当事人核实情况');
  await um.locator('[data-test=unmask-submit]').click();
  await detail(grid).locator('[data-test=case-unmasked]').waitFor();
  assert.equal(await detail(grid).locator('[data-test=case-field-parties]').innerText(), '张三（楼上住户）、李四（楼下住户）');
  assert.equal(await detail(grid).locator('[data-test=case-field-contact_phone]').innerText(), '13812345678');
  const auditor = await h.login('auditor.330702001');
  const reads = await h.api('GET', `/api/v1/audit?action=case.read_personal&object_id=${code}`, { token: auditor });
  assert.equal(reads.json.items.length, 1, reads.text);
  assert.match(reads.json.items[0].summary, /电话联系当事人核实情况/);
  // A grid worker may not triage a case as complex: only the simple path is offered.
  assert.equal(await detail(grid).locator('[data-test=action-triage_simple]').count(), 1);
  assert.equal(await detail(grid).locator('[data-test=action-triage_complex]').count(), 0);
  assert.equal(await detail(grid).locator('[data-test=action-resolve]').count(), 0);

  // The township handler triages it as complex, filling the field the step needs.
  const handler = await newPage();
  await signIn(handler, 'handler.330702001');
  await openCase(handler, code);
  let d = await startAction(handler, 'triage_complex');
  assert.match(await d.locator('[data-test=dlg-to]').innerText(), /乡镇（街道）调解/);
  await choose(handler, d, 'field-complexity', '复杂');
  await d.locator(area('dlg-note')).fill('涉及楼上楼下两户，先行由街道调解');
  await confirm(handler);
  await waitState(handler, 'township');
  assert.equal(await detail(handler).locator('[data-test=case-unit]').innerText(), '城东司法所');
  assert.equal(await detail(handler).locator('[data-test=case-escalation]').innerText(), '乡镇（街道）');
  assert.equal(await detail(handler).locator('[data-test=case-field-complexity]').innerText(), '复杂');
  // The mediation clock: legal basis, due time in Shanghai, time left.
  const clock = detail(handler).locator('[data-test=case-clock][data-clock=mediation]');
  assert.equal(await clock.getAttribute('data-status'), 'running');
  assert.match(await clock.locator('[data-test=clock-basis]').innerText(), /人民调解工作若干规定 第三十三条/);
  // 30 natural days from 2026-03-02 09:00 Shanghai: ends 2026-04-01 24:00.
  assert.equal(await clock.locator('[data-test=clock-due]').innerText(), '2026-04-02 00:00:00');
  assert.match(await clock.locator('[data-test=clock-remaining]').innerText(), /剩余 30 天 1[45] 小时/);

  // Resolving needs the agreement: the dialog warns, with an upload button.
  d = await startAction(handler, 'resolve');
  const warn = d.locator('[data-test=dlg-missing-docs]');
  await warn.waitFor();
  assert.match(await warn.innerText(), /人民调解协议书/);
  await d.locator('.el-dialog__headerbtn').click();
  await d.waitFor({ state: 'hidden' });
  // The agreement goes in through the document checklist.
  await uploadDoc(handler, 'agreement', pdf('调解协议书.pdf', 'agreement'));
  const att = detail(handler).locator('[data-test=case-attachments] .el-table__row', { hasText: '调解协议书.pdf' });
  await att.waitFor();
  assert.match(await att.innerText(), /人民调解协议书/);
  const [download] = await Promise.all([
    handler.waitForEvent('download'),
    att.locator('[data-test=attachment-download]').click(),
  ]);
  assert.equal(download.suggestedFilename(), '调解协议书.pdf');
  assert.match(readFileSync(await download.path(), 'utf8'), /^%PDF-1\.4\n% agreement/);

  // The case detail, for the record: header, actions, clock, checklist, timeline.
  mkdirSync(ARTIFACTS, { recursive: true });
  await handler.setViewportSize({ width: 1440, height: 2000 });
  await handler.locator('.el-main').evaluate((el) => { el.scrollTop = 0; });
  await until(async () => (await handler.locator('.el-message').count()) === 0, 'the messages to fade');
  await handler.waitForTimeout(300);
  await handler.screenshot({ path: path.join(ARTIFACTS, 'case-detail.png') });
  await handler.setViewportSize({ width: 1440, height: 900 });

  // Ten days later it is resolved. Someone else wrote in between: the stale
  // version is refused, the page says so and reloads, and the retry succeeds.
  h.advance(10 * DAY);
  d = await startAction(handler, 'resolve');
  assert.equal(await d.locator('[data-test=dlg-missing-docs]').count(), 0);
  await d.locator(area('dlg-outcome')).fill('双方达成赔偿协议，楼上住户赔偿 8000 元并已履行');
  const version = Number(await detail(handler).getAttribute('data-version'));
  const other = await h.login('handler.330702001');
  const bump = await h.api('POST', `/api/v1/cases/${code}/actions/comment`, { token: other, body: { version, note: '已电话通知双方到场签字' } });
  assert.equal(bump.status, 200, bump.text);
  await d.locator('[data-test=dlg-confirm]').click();
  await handler.locator('.el-message', { hasText: '已重新载入' }).waitFor();
  await until(async () => Number(await detail(handler).getAttribute('data-version')) === version + 1, 'the reload');
  assert.ok(await d.isVisible(), 'the dialog stays open for the retry');
  await confirm(handler);
  await waitState(handler, 'resolved');
  assert.equal(await detail(handler).locator('[data-test=case-header] [data-test=case-level]').getAttribute('data-level'), 'green');
  assert.match(await detail(handler).locator('[data-test=case-outcome]').innerText(), /赔偿 8000 元/);
  assert.equal(await detail(handler).locator('[data-test=case-clock][data-clock=mediation]').getAttribute('data-status'), 'stopped');
  // The handler's workbench counts the office's disputes by colour, green included.
  await handler.locator('[data-test=nav-workbench]').click();
  for (const level of ['red', 'yellow', 'green']) {
    const n = await countApi(other, `/api/v1/cases?type=dispute&level=${level}&mine=1`);
    if (level === 'green') assert.ok(n >= 1);
    await until(async () => (await handler.locator(`[data-test=wb-level-dispute-${level}]`).getAttribute('data-count')) === String(n), `the ${level} count`);
  }
  await closePage(handler);

  // The grid worker records the return visit.
  await openCase(grid, code);
  assert.equal(await detail(grid).locator('[data-test=case-header] [data-test=case-level]').getAttribute('data-level'), 'green');
  d = await startAction(grid, 'visit');
  await d.locator('[data-test=dlg-satisfaction] .el-rate__item').nth(4).click();
  await d.locator(area('dlg-note')).fill('回访双方，均表示满意');
  await confirm(grid);
  await detail(grid).locator('[data-test=case-visit]').waitFor();
  assert.match(await detail(grid).locator('[data-test=case-visit]').innerText(), /满意度 5 \/ 5/);
  assert.equal(await detail(grid).locator('[data-test=action-visit]').count(), 0, 'one return visit');

  // Every step is on the timeline, with its title.
  assert.deepEqual(await timelineActions(grid), [
    'create', 'transition.triage_complex', 'attach', 'comment', 'transition.resolve', 'visit',
  ]);
  const timeline = await detail(grid).locator('[data-test=case-timeline]').innerText();
  for (const t of ['受理', '分流：复杂纠纷（乡镇先行调解）', '上传附件', '批注', '调解成功，化解办结', '回访', '受理登记 → 乡镇（街道）调解', '化解办结']) {
    assert.ok(timeline.includes(t), `timeline lacks ${t}`);
  }
  assert.match(timeline, /2026-03-02 09:00:00/);
  assert.match(timeline, /2026-03-12 09:00:00/);

  // In the list: filter by type and colour, the chip shows green.
  await grid.locator('[data-test=case-back]').click();
  await choose(grid, grid, 'cases-filter-type', '矛盾纠纷兜底化解');
  await choose(grid, grid, 'cases-filter-level', '绿色');
  await grid.locator('[data-test=cases-search]').click();
  const row = grid.locator('[data-test=cases-table] .el-table__row', { hasText: code });
  await row.waitFor();
  assert.equal(await row.locator('[data-test=case-level]').getAttribute('data-level'), 'green');
  assert.match(await row.innerText(), /化解办结/);
  await closePage(grid);
});

test('an administrative-to-criminal transfer through a refusal and a reconsideration', async () => {
  // 市场监管局 opens the case and reports it to its head.
  const market = await newPage();
  await signIn(market, 'market.330702');
  await market.locator('[data-test=nav-create]').click();
  const form = market.locator('[data-test=create-form]');
  await choose(market, form, 'create-type', '行政执法移送涉嫌犯罪案件');
  await form.locator(inp('create-region-code')).fill('330702');
  await form.locator(inp('field-case_name')).fill('金华某贸易公司销售伪劣产品案');
  await form.locator(inp('field-suspect')).fill('金华某贸易有限公司');
  await form.locator(inp('field-suspected_crime')).fill('销售伪劣产品罪');
  await form.locator(area('field-facts')).fill('经查，该公司 2025 年以来销售掺杂掺假的电线电缆，货值金额约 56 万元。');
  await form.locator(inp('field-amount')).fill('560000');
  await form.locator(inp('field-team')).fill('王执法、李执法');
  await form.locator('[data-test=create-submit]').click();
  const code = await until(async () => {
    const m = (await market.evaluate(() => location.hash)).match(/code=(XX-330702-2026-\d{6})/);
    return m && m[1];
  }, 'the new transfer case');
  await detail(market).locator('[data-test=case-code]').waitFor();
  assert.equal(await stateOf(market), 'found');
  assert.equal(await detail(market).locator('[data-test=case-field-suspect]').innerText(), '金**');

  await uploadDoc(market, 'report', pdf('调查报告.pdf', 'report'));
  await startAction(market, 'submit');
  await confirm(market);
  await waitState(market, 'approval');
  assert.match(await detail(market).locator('[data-test=case-clock][data-clock=head_decision] [data-test=clock-basis]').innerText(), /国务院令第310号 第五条/);

  // The head approves.
  const lead = await newPage();
  await signIn(lead, 'marketlead.330702');
  await openCase(lead, code);
  assert.equal(await detail(lead).locator('[data-test=action-decline]').count(), 1);
  await startAction(lead, 'approve');
  await confirm(lead);
  await waitState(lead, 'approved');
  await closePage(lead);

  // 24 hours to transfer; a day and an hour later it is overdue.
  await market.locator('[data-test=case-refresh]').click();
  await waitState(market, 'approved');
  const transferClock = detail(market).locator('[data-test=case-clock][data-clock=transfer]');
  assert.match(await transferClock.locator('[data-test=clock-remaining]').innerText(), /剩余 (1 天 0 小时|23 小时)/);
  h.advance(25 * HOUR);
  await until(async () => {
    await market.locator('[data-test=case-refresh]').click();
    return (await transferClock.getAttribute('data-status')) === 'breached';
  }, 'the breach of the transfer clock');
  await detail(market).locator('[data-test=case-overdue]').waitFor();
  assert.match(await transferClock.locator('[data-test=clock-remaining]').innerText(), /已超期/);
  await market.locator('[data-test=nav-workbench]').click();
  await until(async () => Number(await market.locator('[data-test=wb-overdue-count]').innerText()) >= 1, 'the overdue count');
  await market.locator('[data-test=wb-overdue-table] .el-table__row', { hasText: code }).locator('[data-test=case-row-overdue]').waitFor();

  // The transfer documents, then the hand-off to the district police.
  await openCase(market, code);
  await uploadDoc(market, 'transfer_letter', pdf('移送书.pdf'));
  await uploadDoc(market, 'investigation_report', pdf('情况调查报告.pdf'));
  await uploadDoc(market, 'seized_list', pdf('涉案物品清单.pdf'));
  let d = await startAction(market, 'transfer');
  assert.match(await d.locator('[data-test=dlg-missing-docs]').innerText(), /检验报告或鉴定结论/);
  await d.locator('[data-test=dlg-missing-docs] [data-test=doc-file-test_report]').setInputFiles(pdf('检验报告.pdf'));
  await until(async () => (await d.locator('[data-test=dlg-missing-docs]').count()) === 0, 'the warning to go');
  await choose(market, d, 'dlg-unit', '金华市公安局婺城分局');
  await d.locator(area('dlg-note')).fill('移送涉嫌销售伪劣产品罪案件');
  await confirm(market);
  await waitState(market, 'at_police');
  assert.equal(await detail(market).locator('[data-test=case-pending-unit]').innerText(), '金华市公安局婺城分局');

  // The police see it in their inbox and return it: materials incomplete.
  const police = await newPage();
  await signIn(police, 'police.330702');
  const policeToken = await h.login('police.330702');
  const waiting = (await h.api('GET', '/api/v1/inbox?limit=200', { token: policeToken })).json.items;
  assert.ok(waiting.some((x) => x.code === code), 'the case waits on the police');
  await until(async () => (await police.locator('[data-test=wb-inbox-count]').innerText()) === String(waiting.length), 'the inbox count');
  await police.locator('[data-test=nav-inbox]').click();
  let inboxRow = police.locator('[data-test=inbox-table] .el-table__row', { hasText: code });
  await inboxRow.waitFor();
  await inboxRow.locator('[data-test=inbox-refuse]').click();
  d = dialog(police);
  await d.waitFor();
  assert.equal(await d.getAttribute('data-action'), 'return');
  await d.locator('[data-test=dlg-reason]').first().click();
  // the dropdown opens with an animation: wait until its options are shown
  const reasons = await until(async () => {
    const t = await police.locator('.el-select-dropdown__item:visible').allInnerTexts();
    return t.length ? t : null;
  }, 'the reason codes');
  assert.deepEqual(reasons, ['不属于本机关管辖，应转送有管辖权的机关', '移送材料不全']);
  await police.locator('.el-select-dropdown__item:visible', { hasText: '移送材料不全' }).click();
  await d.locator(area('dlg-note')).fill('缺少涉案物品的检验报告原件');
  await confirm(police);
  await inboxRow.waitFor({ state: 'detached' });

  // Back with the market office, one bounce counted; it transfers again.
  await market.locator('[data-test=case-refresh]').click();
  await waitState(market, 'approved');
  assert.equal(await detail(market).locator('[data-test=case-bounces]').innerText(), '1');
  assert.equal(await detail(market).locator('[data-test=case-pending-unit]').innerText(), '—');
  assert.match(await detail(market).locator('[data-test=case-timeline]').innerText(), /退回理由：移送材料不全/);
  d = await startAction(market, 'transfer');
  await choose(market, d, 'dlg-unit', '金华市公安局婺城分局');
  await d.locator(area('dlg-note')).fill('已补充检验报告原件，再次移送');
  await confirm(market);
  await waitState(market, 'at_police');

  // The police receive it, then decide not to file, with reasons.
  await police.locator('[data-test=inbox-refresh]').click();
  inboxRow = police.locator('[data-test=inbox-table] .el-table__row', { hasText: code });
  await inboxRow.locator('[data-test=inbox-accept]').click();
  d = dialog(police);
  await d.waitFor();
  assert.equal(await d.getAttribute('data-action'), 'receive');
  await confirm(police);
  await inboxRow.waitFor({ state: 'detached' });
  await openCase(police, code);
  assert.equal(await stateOf(police), 'police_review');
  assert.equal(await detail(police).locator('[data-test=case-unit]').innerText(), '金华市公安局婺城分局');
  d = await startAction(police, 'not_file');
  await d.locator(area('field-refusal_reasons')).fill('现有证据不足以证明货值金额达到立案追诉标准');
  await confirm(police);
  await waitState(police, 'not_filed');

  // The market office asks for reconsideration, with the request on file.
  await market.locator('[data-test=case-refresh]').click();
  await waitState(market, 'not_filed');
  assert.match(await detail(market).locator('[data-test=case-field-refusal_reasons]').innerText(), /立案追诉标准/);
  await uploadDoc(market, 'reconsideration_request', pdf('提请复议书.pdf'));
  await startAction(market, 'request_reconsideration');
  await confirm(market);
  await waitState(market, 'reconsideration');

  // The police reconsider and file the case.
  await police.locator('[data-test=case-refresh]').click();
  await waitState(police, 'reconsideration');
  d = await startAction(police, 'reconsider_file');
  await d.locator(area('field-reconsideration_result')).fill('经复议，补充鉴定后货值金额达到追诉标准，决定立案');
  await d.locator(area('dlg-outcome')).fill('复议后立案侦查');
  await confirm(police);
  await waitState(police, 'filed');
  assert.equal(await detail(police).locator('[data-test=case-state]').innerText(), '公安立案侦查');
  assert.deepEqual(await timelineActions(police), [
    'create', 'attach', 'transition.submit', 'transition.approve', 'clock.breach',
    'attach', 'attach', 'attach', 'attach', 'transition.transfer', 'transition.return', 'transition.transfer',
    'transition.receive', 'transition.not_file', 'attach', 'transition.request_reconsideration',
    'transition.reconsider_file',
  ]);
  await closePage(police);
  await closePage(market);

  // The procuratorate (an observer) can open it; on a filed case it may only comment.
  const proc = await newPage();
  await signIn(proc, 'proc.330702');
  await openCase(proc, code);
  assert.equal(await stateOf(proc), 'filed');
  assert.equal(await detail(proc).locator('[data-test=case-bounces]').innerText(), '1');
  assert.equal(await detail(proc).locator('[data-test=case-document][data-on-file=true]').count(), 6);
  assert.deepEqual(
    await detail(proc).locator('[data-test^=action-]').evaluateAll((els) => els.map((e) => e.dataset.test)),
    ['action-comment'],
  );
  await closePage(proc);
});

test('leaders see the case indicators by region; the city sees the seed figures', async () => {
  const page = await newPage();
  await signIn(page, 'leader.330702');
  assert.deepEqual(await navItems(page), ['首页', ...CASE_NAV, '案件指标', '现场调度', '预警中心', '预警规则', '对象查询', '区划与地图', '地图', '社区矫正', '用户管理']);
  await page.locator('[data-test=nav-indicators]').click();
  await page.locator('[data-test=ind-chart][data-ready=true]').waitFor();
  const token = await h.login('leader.330702');
  const api = (await h.api('GET', '/api/v1/indicators/cases?type=dispute&group=region', { token })).json;
  const want = api.items.find((x) => x.region?.name === '城东街道');
  assert.ok(want && want.accepted >= 2, JSON.stringify(api.items[0]));
  const row = page.locator('[data-test=ind-table] .el-table__row', { hasText: '城东街道' });
  await until(async () => (await row.locator('td').nth(1).innerText()).trim() === String(want.accepted), 'the 城东街道 row');
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[2].trim(), String(want.closed));
  assert.equal(cells[3].trim(), `${want.resolution_rate.toFixed(1)}%`);
  assert.equal(await page.locator('[data-test=ind-total-accepted]').innerText(), String(api.items.reduce((a, x) => a + x.accepted, 0)));
  assert.equal(await page.locator('[data-test=ind-chart]').getAttribute('data-groups'), String(api.items.length));
  await closePage(page);

  // The city's 2025 disputes: 373 accepted, 361 closed, 96.8 % (the seed's figures).
  const admin = await newPage();
  await signIn(admin, 'admin.330700');
  assert.ok((await navItems(admin)).includes('案件指标'));
  assert.ok(!(await navItems(admin)).includes('工作台'));
  await admin.locator('[data-test=nav-indicators]').click();
  await admin.locator('[data-test=ind-chart][data-ready=true]').waitFor();
  const range = admin.locator('[data-test=ind-range] input');
  await range.first().click();
  await range.first().fill('2025-01-01');
  await range.nth(1).fill('2025-12-31');
  await range.nth(1).press('Enter');
  await admin.locator('.page-title').click(); // close the picker
  await admin.locator('[data-test=ind-search]').click();
  await until(async () => (await admin.locator('[data-test=ind-total-accepted]').innerText()) === '373', 'the 2025 total');
  assert.equal(await admin.locator('[data-test=ind-total-closed]').innerText(), '361');
  assert.equal(await admin.locator('[data-test=ind-total-rate]').innerText(), '96.8%');
  assert.match(await admin.locator('[data-test=ind-total]').innerText(), /2025-01-01 至 2026-01-01/);
  const names = await admin.locator('[data-test=ind-row-name]').allInnerTexts();
  assert.equal(names.length, 9, `districts: ${names}`);
  assert.ok(names.includes('婺城区') && names.includes('东阳市'));
  await admin.locator('[data-test=ind-chart][data-groups="9"]').waitFor();
  await closePage(admin);
});
