// Browser tests of the web console: headless Debian chromium driven by
// playwright-core against the real fazhi binary (tests/lib/fazhi.mjs starts it
// with the demo city and an injected clock).
//
//   node --test tests/browser/
//
// The map page screenshot is saved to build/test-artifacts/map.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PASSWORD } from '../lib/fazhi.mjs';
import { startConsole, inp, until, ARTIFACTS } from '../lib/browser.mjs';

let h;
let browser;

const newPage = () => ui.newPage();
const closePage = (page) => ui.closePage(page);
const signIn = (page, user) => ui.signIn(page, user);

let ui;
before(async () => {
  ui = await startConsole();
  ({ h, browser } = ui);
});

after(async () => {
  if (ui) await ui.stop();
});

const navItems = (page) =>
  page.locator('[data-test=nav] [data-test^=nav-]').evaluateAll((els) => els.map((e) => e.textContent.trim()));

/** Expand the tree node of region `code` (its row must be visible). */
async function expandNode(page, code) {
  const row = page.locator(`[data-test=region-tree] .el-tree-node__content:has([data-code="${code}"])`);
  await row.waitFor();
  await row.locator('.el-tree-node__expand-icon').click();
  await row.locator('xpath=..').locator('.el-tree-node__children [data-code]').first().waitFor();
}

test('admin: region tree and map, then creates a user', async () => {
  const page = await newPage();
  const token = await h.login('admin.330700');
  const me = (await h.api('GET', '/api/v1/session', { token })).json.user;

  await signIn(page, 'admin.330700');
  const header = await page.locator('[data-test=current-user]').innerText();
  assert.match(header, new RegExp(me.display_name));
  assert.match(header, /金华市/);
  assert.equal(await page.locator('[data-test=platform-name]').innerText(), '金华市数字法治平台');
  assert.deepEqual(await navItems(page), ['首页', '案件指标', '预警中心', '预警规则', '对象查询', '数据源', '文件导入', '隔离区', '区划与地图', '地图', '社区矫正', '单位管理', '用户管理']);

  // Region tree: city → district → township → villages, as the API says.
  await page.locator('[data-test=nav-regions]').click();
  const tree = page.locator('[data-test=region-tree]');
  await tree.locator('[data-code="330702"]').waitFor(); // the city root is expanded
  const districts = await tree.locator('[data-code]').evaluateAll((els) =>
    els.map((e) => e.dataset.code).filter((c) => c.length === 6 && c !== '330700'));
  assert.equal(districts.length, 9, `districts in the tree: ${districts}`);

  await expandNode(page, '330702');
  const township = (await h.api('GET', '/api/v1/regions/330702', { token })).json.children[0];
  assert.equal(township.level, 'township');
  await expandNode(page, township.code);
  const apiVillages = (await h.api('GET', `/api/v1/regions/${township.code}`, { token })).json.children;
  assert.ok(apiVillages.length > 0);
  const shown = await until(async () => {
    const codes = await tree.locator('[data-code]').evaluateAll((els, t) =>
      els.map((e) => e.dataset.code).filter((c) => c.startsWith(t) && c !== t), township.code);
    return codes.length === apiVillages.length && codes;
  }, 'the villages of the township');
  assert.deepEqual(shown, apiVillages.map((v) => v.code));
  const firstVillage = tree.locator(`[data-code="${apiVillages[0].code}"]`);
  assert.match(await firstVillage.innerText(), new RegExp(apiVillages[0].name));
  assert.match(await firstVillage.innerText(), /村社区/);

  // Selecting the township shows its details and its ancestors.
  await tree.locator(`[data-code="${township.code}"]`).click();
  const detail = page.locator('[data-test=region-detail]');
  await until(async () => (await detail.locator('[data-test=region-code]').innerText()) === township.code, 'township detail');
  assert.equal(await detail.locator('[data-test=region-name]').innerText(), township.name);
  assert.equal(await detail.locator('[data-test=region-level]').innerText(), '乡镇街道');
  assert.equal(await detail.locator('[data-test=region-children-count]').innerText(), String(apiVillages.length));
  const crumbs = await detail.locator('[data-test=region-breadcrumb]').innerText();
  assert.match(crumbs, /浙江省[\s\S]*金华市[\s\S]*婺城区[\s\S]*/);

  // The map: the 9 real district boundaries, rendered on a canvas.
  const map = page.locator('[data-test=region-map]');
  await page.locator('[data-test=region-map][data-ready=true]').waitFor();
  assert.equal(await map.getAttribute('data-feature-count'), '9');
  const canvas = map.locator('canvas').first();
  const box = await canvas.boundingBox();
  assert.ok(box.width > 300 && box.height > 300, `map canvas ${box.width}x${box.height}`);
  // The canvas is not blank: district fills differ from the background.
  const colours = await canvas.evaluate((c) => {
    const ctx = c.getContext('2d');
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]},${d[i + 3]}`);
    return seen.size;
  });
  assert.ok(colours > 10, `the map canvas looks empty (${colours} colours)`);

  // Clicking 东阳市 on the map selects it in the tree and the detail panel.
  const mapBox = await map.boundingBox();
  const px = await map.evaluate((el) => el.fazhiPixelOf('330783'));
  assert.ok(px, 'no pixel for 东阳市');
  await page.mouse.click(mapBox.x + px[0], mapBox.y + px[1]);
  await until(async () => (await detail.locator('[data-test=region-code]').innerText()) === '330783', 'map click selects 东阳市');
  assert.equal(await detail.locator('[data-test=region-name]').innerText(), '东阳市');
  assert.equal(await detail.locator('[data-test=region-level]').innerText(), '县区');
  assert.equal(await map.getAttribute('data-selected'), '330783');
  await tree.locator('.el-tree-node.is-current > .el-tree-node__content [data-code="330783"]').waitFor();

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.setViewportSize({ width: 1440, height: 1280 }); // room for the detail panel
  await page.mouse.move(5, 5); // no tooltip over the map
  await page.locator('[data-test=region-map][data-ready=true]').waitFor();
  await page.waitForTimeout(500); // let the resize and hover fade-out animations end
  await page.screenshot({ path: path.join(ARTIFACTS, 'map.png') });

  // Users: create one through the dialog. A weak password is refused first,
  // with the server's message next to the password field.
  const unit = (await h.api('GET', '/api/v1/units?region=330702&limit=1', { token })).json.items[0];
  const roles = (await h.api('GET', '/api/v1/roles', { token })).json.items;
  const gridRole = roles.find((r) => r.role === 'grid');
  const username = 'zhang.wei.test';

  await page.locator('[data-test=nav-users]').click();
  await page.locator('[data-test=users-table] .el-table__row').first().waitFor();
  await page.locator('[data-test=user-create]').click();
  const dialog = page.locator('.el-dialog[data-test=user-dialog]');
  await dialog.waitFor();
  await dialog.locator(inp('user-username')).fill(username);
  await dialog.locator(inp('user-display-name')).fill('张伟');
  await dialog.locator(inp('user-password')).fill('short');
  await dialog.locator(inp('user-unit')).fill(unit.name);
  await page.locator('.unit-picker-popper .el-select-dropdown__item', { hasText: unit.name }).first().click();
  await dialog.locator('[data-test=user-roles]').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: gridRole.name }).click();
  await page.keyboard.press('Escape'); // close the roles dropdown, not the dialog
  await dialog.locator(inp('user-scope')).fill('330702');
  await dialog.locator(inp('user-phone')).fill('13900001234');
  await dialog.locator('[data-test=user-save]').click();
  const pwItem = dialog.locator('.el-form-item:has([data-test=user-password])');
  const pwError = await until(async () => {
    const t = await pwItem.locator('.el-form-item__error').innerText({ timeout: 200 });
    return t.trim();
  }, 'the password field error');
  assert.match(pwError, /[\u4e00-\u9fff]/, `password error is not Chinese: ${pwError}`);
  assert.ok(await dialog.isVisible(), 'dialog closed although the server refused the user');
  assert.equal((await h.api('GET', `/api/v1/users?q=${username}`, { token })).json.items.length, 0);

  await dialog.locator(inp('user-password')).fill('Wucheng#2026x');
  await dialog.locator('[data-test=user-save]').click();
  await dialog.waitFor({ state: 'hidden' });
  const row = page.locator('[data-test=users-table] .el-table__row', { hasText: username });
  await row.waitFor();
  const rowText = await row.innerText();
  assert.match(rowText, /张伟/);
  assert.match(rowText, new RegExp(gridRole.name));
  assert.match(rowText, new RegExp(unit.name));

  const found = (await h.api('GET', `/api/v1/users?q=${username}`, { token })).json.items;
  assert.equal(found.length, 1);
  assert.equal(found[0].username, username);
  assert.equal(found[0].display_name, '张伟');
  assert.deepEqual(found[0].roles, ['grid']);
  assert.equal(found[0].unit.id, unit.id);
  assert.equal(found[0].scope.code, '330702');
  assert.equal(found[0].disabled, false);
  // And the new user can sign in with the password set in the console.
  await h.login(username, 'Wucheng#2026x');

  // Signing out ends the session on the server too.
  const shownToken = await page.evaluate(() => sessionStorage.getItem('fazhi.token'));
  await page.locator('[data-test=sign-out]').click();
  await page.locator('[data-test=login-submit]').waitFor();
  assert.equal((await h.api('GET', '/api/v1/session', { token: shownToken })).status, 401);
  await closePage(page);
});

test('grid worker sees no administration pages', async () => {
  const page = await newPage();
  await signIn(page, 'grid.330702001');
  assert.deepEqual(await navItems(page), ['首页', '工作台', '案件列表', '受理案件', '移送收件箱', '预警中心', '对象查询', '区划与地图', '地图', '社区矫正']);
  // case roles land on the workbench; the overview shows the scope
  await page.locator('[data-test=nav-home]').click();
  assert.match(await page.locator('[data-test=me-scope]').innerText(), /330702001/);
  // Typing an admin page's address leads back to the overview.
  await page.goto(`${h.url}/#/users`);
  await until(async () => (await page.evaluate(() => location.hash)) === '#/', 'redirect to the overview');
  assert.equal(await page.locator('[data-test=users-table]').count(), 0);

  // The region tree stops at the branch that leads to the worker's township.
  await page.locator('[data-test=nav-regions]').click();
  const tree = page.locator('[data-test=region-tree]');
  await tree.locator('[data-code="330702"]').waitFor();
  await expandNode(page, '330702');
  const townships = await tree.locator('[data-code]').evaluateAll((els) =>
    els.map((e) => e.dataset.code).filter((c) => c.length === 9));
  assert.deepEqual(townships, ['330702001']);

  // When the session ends on the server, the next request leads to sign-in.
  const token = await page.evaluate(() => sessionStorage.getItem('fazhi.token'));
  assert.equal((await h.api('DELETE', '/api/v1/session', { token })).status, 204);
  await page.locator('[data-test=nav-home]').click();
  await page.locator('[data-test=nav-regions]').click();
  await page.locator('[data-test=login-submit]').waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/login');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('fazhi.token')), null);
  await closePage(page);
});

test('leader reads users without editing controls', async () => {
  const page = await newPage();
  await signIn(page, 'leader.330702');
  assert.deepEqual(await navItems(page), ['首页', '工作台', '案件列表', '受理案件', '移送收件箱', '案件指标', '现场调度', '预警中心', '预警规则', '对象查询', '区划与地图', '地图', '社区矫正', '用户管理']);
  await page.locator('[data-test=nav-users]').click();
  const rows = page.locator('[data-test=users-table] .el-table__row');
  await rows.first().waitFor();
  assert.equal(await page.locator('[data-test=user-create]').count(), 0);
  assert.equal(await page.locator('[data-test=user-edit]').count(), 0);
  // Only users inside the leader's district are listed.
  const scopes = await page.locator('[data-test=users-table] .el-table__row').evaluateAll((trs) =>
    trs.map((tr) => (tr.innerText.match(/（(\d{6,12})）/) || [])[1]));
  assert.ok(scopes.length > 0);
  for (const code of scopes) assert.ok(code && code.startsWith('330702'), `user outside 婺城区 listed: ${code}`);
  await closePage(page);
});

test('auditor sees the audit log with the user creation', async () => {
  const token = await h.login('admin.330700');
  const unit = (await h.api('GET', '/api/v1/units?region=330703&limit=1', { token })).json.items[0];
  const created = await h.api('POST', '/api/v1/users', {
    token,
    body: { username: 'li.na.audit', display_name: '李娜', password: 'Jindong#2026', unit_id: unit.id, roles: ['handler'] },
  });
  assert.equal(created.status, 201, created.text);

  const page = await newPage();
  await signIn(page, 'auditor.330700');
  assert.deepEqual(await navItems(page), ['首页', '预警中心', '对象查询', '区划与地图', '地图', '社区矫正', '审计日志']);
  await page.locator('[data-test=nav-audit]').click();
  const table = page.locator('[data-test=audit-table]');
  await table.locator('.el-table__row').first().waitFor();

  await page.locator(inp('audit-filter-actor')).fill('admin.330700');
  await page.locator('[data-test=audit-search]').click();
  const row = table.locator('.el-table__row', { hasText: 'user.create' }).filter({ hasText: `#${created.json.id}` });
  await row.first().waitFor();
  const text = await row.first().innerText();
  assert.match(text, /admin\.330700/);
  assert.match(text, /新建用户/);
  assert.match(text, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  // Times are shown in Asia/Shanghai: the harness clock is 2026-03-02T01:00Z.
  assert.match(text, /2026-03-02 09:/);

  await page.locator('[data-test=audit-verify]').click();
  const result = page.locator('[data-test=audit-verify-result]');
  await result.waitFor();
  await until(async () => /哈希链完整/.test(await result.innerText()), 'the verify result');
  await closePage(page);
});

test('sign-in errors show the server message and the lockout wait', async () => {
  const page = await newPage();
  await page.goto(`${h.url}/`);
  await page.locator(inp('login-username')).fill('handler.330703');
  await page.locator(inp('login-password')).fill('wrong-password');
  await page.locator('[data-test=login-submit]').click();
  const err = page.locator('[data-test=login-error]');
  await err.waitFor();
  assert.equal(await page.locator('[data-test=current-user]').count(), 0);
  const r = await h.api('POST', '/api/v1/session', { body: { username: 'handler.330703', password: 'wrong-password' } });
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('content-type').split(';')[0], 'application/problem+json');
  assert.match(await err.innerText(), new RegExp(r.json.title));

  // Fail until the account is locked, then the page shows the wait.
  let locked;
  for (let i = 0; i < 30 && !locked; i++) {
    const x = await h.api('POST', '/api/v1/session', { body: { username: 'handler.330703', password: 'wrong-password' } });
    if (x.status !== 401) locked = x;
  }
  assert.ok(locked, 'the account was never locked');
  assert.equal(locked.json.code, 'locked');
  assert.ok(locked.json.retry_after > 0);
  await page.locator(inp('login-password')).fill(PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await page.locator('[data-test=login-wait]').waitFor();
  assert.match(await err.innerText(), new RegExp(locked.json.title));
  assert.match(await page.locator('[data-test=login-wait]').innerText(), /请在 .*秒后重试/);
  assert.ok(await page.locator('[data-test=login-submit]').isDisabled());
  assert.equal(await page.locator('[data-test=current-user]').count(), 0);
  await closePage(page);
});
