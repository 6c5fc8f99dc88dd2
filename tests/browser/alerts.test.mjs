// Browser test of the alert centre and the rules page: a leader opens the
// demo truck's red alert and reads its explanation (contributions with their
// basis, linked records, the night hour-of-week profile), acknowledges it,
// then backtests the rule with a stricter threshold and sees its progress
// and what it would have raised.
//
//   node --test tests/browser/alerts.test.mjs
//
// The explanation is saved to build/test-artifacts/alert-explanation.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startConsole, inp, area, until, ARTIFACTS } from '../lib/browser.mjs';

let ui;
before(async () => { ui = await startConsole(); });
after(async () => { if (ui) await ui.stop(); });

async function choose(page, name, text) {
  await page.locator(`[data-test=${name}]`).first().click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

test('a red alert opens with its explanation; acknowledged from the dialog', async () => {
  const page = await ui.newPage();
  await ui.signIn(page, 'leader.330700');
  await page.goto(`${ui.h.url}/#/alerts`);
  await page.locator('[data-test=nav-alerts]').waitFor();
  await choose(page, 'filter-level', '红色');
  const row = page.locator('[data-test=alerts] .el-table__row', { hasText: '近一年超限 56 次' });
  await row.waitFor();
  assert.equal((await row.locator('[data-test=level]').textContent()).trim(), '红色');
  await row.click();
  const dlg = page.locator('[data-test=alert-dialog]');
  await dlg.locator('[data-test=contribution]', { hasText: '18 次总重超过 100 吨' }).waitFor();
  const texts = await dlg.locator('[data-test=contribution]').allTextContents();
  assert.ok(texts.some((t) => t.includes('吊销') === false && t.includes('近一年超限 56 次')), texts.join('|'));
  assert.match(await dlg.textContent(), /超限运输车辆行驶公路管理规定第45条/);
  assert.match(await dlg.locator('[data-test=profile-hours]').textContent(), /0[0-4]:00/);
  assert.match(await dlg.locator('[data-test=records]').first().textContent(), /\d+/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'alert-explanation.png') });
  await dlg.locator('[data-test=ack]').click();
  await until(async () => (await dlg.textContent()).includes('已确认'), 'acknowledged');
  await ui.closePage(page);
});

test('the rules page backtests an edited threshold and shows progress and results', async () => {
  const page = await ui.newPage();
  await ui.signIn(page, 'leader.330700');
  await page.goto(`${ui.h.url}/#/rules`);
  await page.locator('[data-test=rules] .el-table__row', { hasText: 'overload.repeat_offender' }).click();
  const detail = page.locator('[data-test=rule-detail]');
  const params = detail.locator(area('params'));
  const p = JSON.parse(await params.inputValue());
  assert.equal(p.red_count, 3);
  p.red_count = 40;
  p.red_gross_kg = 1000000;
  await params.fill(JSON.stringify(p));
  await detail.locator('[data-test=run-backtest]').click();
  await detail.locator('[data-test=backtest-red]').waitFor();
  assert.equal((await detail.locator('[data-test=backtest-red]').textContent()).trim(), '1');
  assert.match(await detail.locator('[data-test=backtest-progress]').textContent(), /100%/);
  await detail.locator('[data-test=backtest-results] .el-table__row', { hasText: '超过 40 次' }).waitFor();
  // a broken edit is refused with the pointer named
  await params.fill('{"red_count": "x"}');
  await detail.locator('[data-test=run-backtest]').click();
  await until(async () => /params\/red_count|\/params/.test(await detail.textContent()), 'error shown');
  await ui.closePage(page);
});
