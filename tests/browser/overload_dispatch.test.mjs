// Browser test of the overload story on the console: a truck's fourth
// overload in a year (red repeat offender) pops up on the control-room page
// of 婺城区交警大队 with its level, gross weight and where and when it is
// likely next, and appears on the map's live layer; the police clear it as
// intercepted through the dialog (the overload route's own ways), it leaves
// the map, and the district leader's indicators page shows the unit's
// response times.
//
//   node --test tests/browser/overload_dispatch.test.mjs
//
// Screenshots: build/test-artifacts/overload-control-room.png, overload-map.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startConsole, area, until, ARTIFACTS } from '../lib/browser.mjs';

const DAY = 86400000;
const PLATE = '浙G9T6R2';
let ui, h, key;

before(async () => {
  ui = await startConsole({ args: ['--session-ttl', '31536000'] });
  ({ h } = ui);
  const r = await h.api('POST', '/api/v1/sources', {
    token: await h.login('admin.330700'),
    body: { name: 'wim-ui', title: '治超称重（界面测试）', types: ['overload.weighing'] },
  });
  assert.equal(r.status, 201, r.text);
  key = r.json.key;
});
after(async () => { if (ui) await ui.stop(); });

let serial = 0;
const weigh = (at, gross) => h.api('POST', '/api/v1/records', {
  raw: JSON.stringify({
    type: 'overload.weighing', id: `ui-${++serial}`, station: 'JH-UI-01', at: new Date(at).toISOString(),
    plate: PLATE, axles: 2, vehicle_kind: 'truck', gross_kg: gross, speed_kmh: 55, lane: 1,
    photo_ref: `wim/ui-${serial}.jpg`, lon: 119.62, lat: 29.09,
  }),
  headers: { 'content-type': 'application/json', 'x-source-key': key },
});
const go = (page, hash) => page.evaluate((x) => { location.hash = x; }, hash);

test('a red repeat offender pops up for the traffic police, shows on the map, and is cleared as intercepted', async () => {
  const room = await ui.newPage();
  const map = await ui.newPage();
  await ui.signIn(room, 'traffic.330702');
  await go(room, '#/control-room');
  await room.locator('[data-test=live][data-state=open]').waitFor();
  await ui.signIn(map, 'traffic.330702');
  await go(map, '#/map');
  await map.locator('[data-test=map-live][data-state=open]').waitFor();
  await until(async () => (await map.locator('[data-test=geo-map]').getAttribute('data-code')) === '330700', 'map drawn');
  assert.equal(await map.locator('[data-test=geo-map]').getAttribute('data-live-count'), '0');

  const now = h.now();
  for (let i = 3; i >= 1; i--) assert.ok((await weigh(now - i * 7 * DAY, 30000)).status < 300);
  assert.ok((await weigh(now, 42300)).status < 300);

  const popup = room.locator('.dispatch-popup', { hasText: '重点超限车辆过站' });
  await popup.waitFor({ timeout: 5000 });
  assert.match(await popup.textContent(), /浙G9T6R2.*总重 42\.3 吨/);
  const row = room.locator('[data-test=events] .el-table__row', { hasText: PLATE });
  await row.waitFor();
  assert.equal((await row.locator('[data-test=level]').textContent()).trim(), '红色');
  assert.equal((await row.locator('[data-test=gross]').textContent()).trim(), '42.3 吨');
  assert.match(await row.locator('[data-test=likely]').textContent(), /最可能出现：周. \d\d:00-\d\d:00.*常经站点 JH-UI-01/);
  assert.match(await row.textContent(), /近一年超限 4 次/);

  // the map's live layer
  await until(async () => (await map.locator('[data-test=geo-map]').getAttribute('data-live-count')) === '1', 'on the map');
  assert.equal((await map.locator('[data-test=live-count]').textContent()).trim(), '1');
  assert.match(await map.locator('[data-test=live-legend]').innerText(), /重点超限车辆.*红色预警/s);
  mkdirSync(ARTIFACTS, { recursive: true });
  await map.screenshot({ path: path.join(ARTIFACTS, 'overload-map.png') });
  await room.screenshot({ path: path.join(ARTIFACTS, 'overload-control-room.png'), fullPage: true });

  h.setNow(now + 4 * 60000);
  await row.locator('[data-test=ack]').click();
  await until(async () => (await row.locator('[data-test=status]').textContent()).trim() === '处置中', 'acknowledged');
  h.setNow(now + 22 * 60000);
  await row.locator('[data-test=clear]').click();
  const dialog = room.locator('.el-dialog', { hasText: '处置方式' });
  await dialog.waitFor();
  assert.match(await dialog.locator('[data-test=clear-how]').first().textContent(), /已拦截/);
  await dialog.locator(area('clear-note')).fill('婺城收费站拦截');
  await dialog.locator('[data-test=clear-submit]').click();
  await until(async () => (await row.locator('[data-test=status]').textContent()).trim() === '已处置', 'cleared');
  const list = await h.api('GET', '/api/v1/dispatch/events', { token: await h.login('traffic.330702') });
  const ev = list.json.items.find((e) => e.plate === PLATE);
  assert.equal(ev.clear_how, 'intercepted');
  assert.equal(ev.clear_s, 22 * 60);
  await until(async () => (await map.locator('[data-test=geo-map]').getAttribute('data-live-count')) === '0', 'off the map');

  // the district leader's indicators page: response times per unit and day
  const lead = await ui.newPage();
  await ui.signIn(lead, 'leader.330702');
  await go(lead, '#/indicators');
  const resp = lead.locator('[data-test=resp-table] .el-table__row', { hasText: '婺城区交警大队' });
  await resp.waitFor();
  assert.match(await resp.innerText(), /22 分 00 秒/);
  assert.match(await resp.innerText(), /4 分 00 秒/);
});
