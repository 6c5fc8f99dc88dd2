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
