// Browser test of the corrections page: the demo's people under electronic
// supervision with masked ID numbers, the violations with the suggested
// sanction, and for a person who left the county the map with the track and
// only that person's violations, whether an order monitors them, and a
// sanction decision recorded from a violation; a grid worker sees only their
// township's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startConsole, until, ARTIFACTS } from '../lib/browser.mjs';

let ui;
before(async () => { ui = await startConsole(); });
after(async () => { if (ui) await ui.stop(); });

test('people, violations with the suggested sanction, and a person who left the county on the map', async () => {
  const page = await ui.newPage();
  await ui.signIn(page, 'leader.330700');
  await page.locator('[data-test=nav-corrections]').click();
  const rows = page.locator('[data-test=correction-people] .el-table__body-wrapper .el-table__row');
  await until(async () => (await rows.count()) > 0, 'people are listed');
  const token = await ui.h.login('leader.330700');
  const people = (await ui.h.api('GET', '/api/v1/correction/people', { token })).json.items;
  const viol = (await ui.h.api('GET', '/api/v1/correction/violations', { token })).json.items;
  assert.match(await page.locator('[data-test=correction-people]').innerText(), /3307\*{10}\d{3}[\dX]/);
  assert.match(await page.locator('.el-card__header').first().innerText(), new RegExp(`${people.length} 人`));
  const vt = page.locator('[data-test=correction-violations]');
  await until(async () => /训诫|警告/.test(await vt.innerText()), 'violations with sanctions');
  assert.match(await vt.innerText(), /未经批准离开所居住市县/);

  // the first person who left the county: their row, then the map with a track
  const who = viol.find((v) => v.kind === 'out_of_area').person_id;
  await page.locator('[data-test=correction-people] .el-table__row', { hasText: who }).click();
  const map = page.locator('[data-test=correction-map]');
  await until(async () => (await map.getAttribute('data-person')) === who, 'the map shows the person');
  assert.ok(Number(await map.getAttribute('data-track-points')) > 10, 'a track is drawn');
  const mine = await vt.innerText();
  assert.match(mine, new RegExp(who));
  assert.match(mine, /未经批准离开所居住市县/);
  // what happened, in words, not a fence id
  assert.match(mine, /离开\S+[区市县]，距边界约 [\d.]+ 公里/);
  assert.equal(await page.locator('[data-test=sanction]').first().getAttribute('title') !== '', true);
  // every person shows whether an electronic-location order monitors them
  assert.match(await page.locator('[data-test=monitoring]').first().innerText(), /监管中|定位决定/);
  // the office answers the violation with a decision: recorded with who, listed for the person
  const decided = page.locator('[data-test=correction-sanctions]');
  await until(async () => /已作出的处罚决定（0）/.test(await decided.innerText()), 'no decisions yet');
  await vt.locator('[data-test=decide]').first().click();
  await page.locator('textarea[data-test=decision-note], [data-test=decision-note] textarea').fill('擅自外出，予以训诫');
  await page.locator('[data-test=decision-submit]').click();
  await until(async () => /已作出的处罚决定（1）/.test(await decided.innerText()), 'the decision is listed');
  assert.match(await decided.innerText(), /leader\.330700.*擅自外出，予以训诫/);
  const recorded = (await ui.h.api('GET', `/api/v1/correction/sanctions?person_id=${who}`, { token })).json.items;
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0].decided_by, 'leader.330700');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'corrections.png') });
  await ui.closePage(page);

  // a grid worker sees only their township's people
  const g = await ui.newPage();
  await ui.signIn(g, 'grid.330702001');
  await g.locator('[data-test=nav-corrections]').click();
  const gt = await ui.h.login('grid.330702001');
  const theirs = (await ui.h.api('GET', '/api/v1/correction/people', { token: gt })).json.items;
  assert.ok(theirs.length < people.length);
  assert.ok(theirs.every((p) => p.township.code === '330702001'));
  await until(async () => (await g.locator('.el-card__header').first().innerText()).includes(`${theirs.length} 人`), 'scoped list');
  await ui.closePage(g);
});

test('an open violation made a case from the corrections page opens the 违规处理 case page; the alert links to it', async () => {
  const page = await ui.newPage();
  await ui.signIn(page, 'leader.330700');
  await page.locator('[data-test=nav-corrections]').click();
  const vt = page.locator('[data-test=correction-violations]');
  // only the open ones: each has a 转为案件 button
  await page.locator('[data-test=violation-status]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '未处理' }).click();
  const make = vt.locator('[data-test=make-case]');
  await until(async () => (await make.count()) > 0, 'open violations can be made cases');
  assert.equal(await vt.locator('[data-test=case-link]').count(), 0, 'none is a case yet');
  const row = vt.locator('.el-table__row').filter({ has: page.locator('[data-test=make-case]') }).first();
  const who = (await row.locator('td').nth(1).innerText()).trim();
  // the list pages: 加载更多 adds the next page
  const before = await vt.locator('.el-table__row').count();
  assert.equal(before, 50, 'a first page of 50');
  await page.locator('[data-test=violations-more]').click();
  await until(async () => (await vt.locator('.el-table__row').count()) > before, 'the next page is added');

  await row.locator('[data-test=make-case]').click();
  const detail = page.locator('[data-test=case-detail]');
  await detail.waitFor();
  const code = (await detail.locator('[data-test=case-code]').innerText()).trim();
  assert.match(code, /^JZ-\d{6}-2026-\d{6}$/);
  assert.match(page.url(), new RegExp(`#/cases\\?code=${code}`));
  assert.equal((await detail.locator('[data-test=case-type]').innerText()).trim(), '社区矫正违规处理');
  assert.equal(await detail.locator('[data-test=case-state]').getAttribute('data-state'), 'registered');
  assert.match(await detail.locator('[data-test=case-unit]').innerText(), /司法所$/, "the person's justice office");
  assert.match(await detail.innerText(), new RegExp(who));
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'correction-case.png') });

  // back on the corrections page the violation links to its case
  await page.locator('[data-test=nav-corrections]').click();
  await page.locator('[data-test=violation-status]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '已处理' }).click();
  const link = page.locator('[data-test=correction-violations] [data-test=case-link]', { hasText: code });
  await link.first().waitFor();
  // and so does its alert in the alert centre
  const token = await ui.h.login('leader.330700');
  const alerts = (await ui.h.api('GET', '/api/v1/alerts?status=case&limit=200', { token })).json.items;
  const al = alerts.find((a) => a.case_code === code);
  assert.ok(al, 'the alert names the case');
  await page.goto(`${ui.h.url}/#/alerts`);
  await page.locator('[data-test=filter-open]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '全部' }).click();
  await page.locator('[data-test=alerts] .el-table__row', { hasText: al.subject }).filter({ hasText: '已转案件' }).first().click();
  await page.locator('[data-test=alert-case]', { hasText: code }).click();
  await until(async () => (await page.locator('[data-test=case-code]').innerText().catch(() => '')).trim() === code, 'the case page from the alert');
  await ui.closePage(page);
});
