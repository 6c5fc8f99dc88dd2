// Browser test of the data hub's console pages: the city admin imports a
// CSV of weighings with some bad rows, sees them in the quarantine, fixes
// one and resubmits it, and finds it on the vehicle's subject page; a
// person's ID number is masked until a purpose is given. Headless Debian
// chromium against the real binary with the demo city.
//
//   node --test tests/browser/datahub.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startConsole, inp, until } from '../lib/browser.mjs';

let ui, h, files;
before(async () => {
  ui = await startConsole();
  ({ h } = ui);
  files = mkdtempSync(path.join(tmpdir(), 'fazhi-import-'));
});
after(async () => {
  if (ui) await ui.stop();
  if (files) rmSync(files, { recursive: true, force: true });
});

async function choose(page, name, text) {
  await page.locator(`[data-test=${name}]`).first().click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

test('import a CSV with bad rows, fix one in the quarantine, see it on the subject page', async () => {
  const csv = path.join(files, 'weighings.csv');
  writeFileSync(csv, [
    'id,station,at,plate,axles,vehicle_kind,gross_kg,speed_kmh,lane,photo_ref,lon,lat',
    'B-1,JH-LX-01,2026-02-20 01:10:00,浙G5K7Q2,6,combination,101200,58,1,b1.jpg,119.47,29.22',
    'B-2,JH-LX-01,2026-02-20 01:40:00,浙G5K7Q2,6,combination,98000,58,1,b2.jpg,119.47,29.22',
    'B-3,JH-LX-01,2026-02-21 02:05:00,浙G5K7Q,6,combination,103400,60,1,b3.jpg,119.47,29.22',
    'B-4,JH-LX-01,2026-02-22 02:05:00,浙G5K7Q2,12,combination,52000,60,1,b4.jpg,119.47,29.22',
  ].join('\n'));

  const page = await ui.newPage();
  await ui.signIn(page, 'admin.330700');
  await page.locator('[data-test=nav-import]').click();
  await choose(page, 'import-source', 'jt-wim');
  await choose(page, 'import-type', 'overload.weighing');
  await page.locator('[data-test=import-file]').setInputFiles(csv);
  await page.locator('[data-test=import-run]').click();
  await page.locator('[data-test=import-summary]').waitFor();
  assert.equal(await page.locator('[data-test=import-accepted]').innerText(), '2');
  assert.equal(await page.locator('[data-test=import-quarantined]').innerText(), '2');
  const issues = await page.locator('[data-test=import-issues]').innerText();
  assert.match(issues, /B-3[\s\S]*车牌号码/);
  assert.match(issues, /B-4[\s\S]*轴数/);

  // To the quarantine: both rows are there, open.
  await page.locator('[data-test=import-to-quarantine]').click();
  const table = page.locator('[data-test=q-table]');
  await until(async () => (await table.innerText()).includes('B-3'), 'B-3 in the quarantine');
  assert.match(await table.innerText(), /B-4/);
  await table.locator('tr', { hasText: 'B-3' }).locator('[data-test=q-open]').click();
  const plate = page.locator(inp('q-field-plate'));
  await plate.waitFor();
  assert.equal(await plate.inputValue(), '浙G5K7Q');
  // the reason is shown under its field (rendered a moment after the value)
  await until(async () => /长度为 6 个字符/.test(await page.locator('[data-test=q-fields]').innerText()),
    'the plate reason under its field');
  await plate.fill('浙G5K7Q2');
  await page.locator('[data-test=q-resubmit]').click();
  const result = page.locator('[data-test=q-result]');
  await result.waitFor();
  assert.match(await result.innerText(), /已成为记录 #\d+/);
  await page.keyboard.press('Escape');
  await until(async () => !(await table.innerText()).includes('B-3'), 'B-3 leaves the open list');

  // The vehicle's page lists the three weighings, the resubmitted one too.
  await page.locator('[data-test=nav-subjects]').click();
  await page.locator(inp('subject-q')).fill('浙G5K7Q2');
  await page.locator('[data-test=subject-search]').click();
  const records = page.locator('[data-test=subject-records]');
  await until(async () => (await records.innerText()).includes('B-3'), 'B-3 on the subject page');
  const text = await records.innerText();
  assert.match(text, /B-1/);
  assert.match(text, /B-2/);
  assert.ok(!text.includes('B-4'));
  assert.equal(await page.locator('[data-test=subject-key]').innerText(), '浙G5K7Q2');
  await ui.closePage(page);
});

test('a person is masked until the user states a purpose', async () => {
  const page = await ui.newPage();
  await ui.signIn(page, 'admin.330700');
  await page.goto(`${h.url}/#/subjects`);
  // the demo's husband: 330702 1986-04-15 231x
  const token = await h.login('admin.330700');
  const found = (await h.api('GET', `/api/v1/subjects?q=${encodeURIComponent('33070219860415231*')}`, { token })).json.items;
  assert.equal(found.length, 1);
  await page.goto(`${h.url}/#/subjects?id=${found[0].id}`);
  const key = page.locator('[data-test=subject-key]');
  await key.waitFor();
  assert.match(await key.innerText(), /^3307\*{10}\d{3}[\dX]$/);
  assert.match(await page.locator('[data-test=subject-records]').innerText(), /family\.police|婚恋家庭/);
  await page.locator('[data-test=subject-unmask]').click();
  await page.locator(inp('unmask-purpose')).fill('核查告诫书当事人');
  await page.locator('[data-test=unmask-confirm]').click();
  await until(async () => /^33070219860415231[\dX]$/.test(await key.innerText()), 'the full number');
  await ui.closePage(page);
});
