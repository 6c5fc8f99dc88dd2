// Browser test of the control-room page (现场调度): a real mosquitto broker,
// an AI camera's fire-lane event published with mosquitto_pub, seen on the
// community control room's page within 2 seconds (pop-up and alarm), then
// acknowledged and cleared through the page's buttons and dialog. Another
// community's control room does not see it.
//
//   node --test tests/browser/dispatch.test.mjs
//
// A screenshot is saved to build/test-artifacts/control-room.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startConsole, inp, area, until, ARTIFACTS } from '../lib/browser.mjs';
import { startMosquitto, eventually, T0 } from '../lib/fazhi.mjs';

const TOPIC = 'fazhi/ai-camera/community.camera_event';
let ui, h, mq;

before(async () => {
  mq = await startMosquitto();
  ui = await startConsole({ mqtt: mq.address, args: ['--scheduler-interval', '50', '--session-ttl', '31536000'] });
  ({ h } = ui);
  await eventually(async () => /fazhi_mqtt_connected 1/.test((await h.api('GET', '/metrics')).text), 'the MQTT client to connect');
});
after(async () => {
  if (ui) await ui.stop();
  if (mq) await mq.stop();
});

test('a fire-lane event published by MQTT pops up on the control room within 2 s, then is acknowledged and cleared', async () => {
  const page = await ui.newPage();
  const other = await ui.newPage();
  await ui.signIn(page, 'control.330702001008'); // 桃园社区物业监控室
  await page.locator('[data-test=control-room]').waitFor();
  assert.match(page.url(), /#\/control-room$/, 'a control room lands on its live page');
  await page.locator('[data-test=live][data-state=open]').waitFor();
  await ui.signIn(other, 'control.330702001010'); // 青春路社区物业监控室
  await other.locator('[data-test=live][data-state=open]').waitFor();

  h.setNow(T0 + 30 * 1000);
  const event = {
    id: 'b-1', camera: 'CAM-330702001008-01', at: new Date(T0).toISOString(), kind: 'fire_lane',
    plate: '浙G12345', snapshot_ref: 'snap/b-1.jpg', dwell_s: 30, lane: 'A',
  };
  const sent = Date.now();
  await mq.publish(TOPIC, JSON.stringify(event));
  const popup = page.locator('.dispatch-popup', { hasText: '消防通道占用' });
  await popup.waitFor({ timeout: 2000 });
  const row = page.locator('[data-test=events] .el-table__row', { hasText: '桃园社区1号楼东侧消防通道' });
  await row.waitFor({ timeout: Math.max(100, 2000 - (Date.now() - sent)) });
  assert.match(await popup.textContent(), /浙G12345/);
  assert.equal(await page.locator('[data-test=control-room]').getAttribute('data-beeps'), '1');
  assert.equal((await row.locator('[data-test=status]').textContent()).trim(), '待确认');
  assert.match(await row.locator('[data-test=elapsed]').textContent(), /已持续 00:(29|3\d)/);
  assert.equal(await page.locator('[data-test=open-count]').textContent(), '1');

  h.setNow(T0 + 60 * 1000);
  await row.locator('[data-test=ack]').click();
  await until(async () => (await row.locator('[data-test=status]').textContent()).trim() === '处置中', 'acknowledged');

  h.setNow(T0 + 5 * 60 * 1000);
  await row.locator('[data-test=clear]').click();
  const dialog = page.locator('.el-dialog', { hasText: '处置方式' });
  await dialog.waitFor();
  assert.match(await dialog.locator('[data-test=clear-how]').first().textContent(), /联系车主挪车/);
  await dialog.locator(area('clear-note')).fill('电话联系车主，车已挪走');
  await dialog.locator('[data-test=clear-submit]').click();
  await until(async () => (await row.locator('[data-test=status]').textContent()).trim() === '已处置', 'cleared');
  assert.match(await row.locator('[data-test=took]').textContent(), /用时 05:00/);
  await until(async () => (await page.locator('[data-test=open-count]').textContent()) === '0', 'no open events');
  await until(async () => (await page.locator('[data-test=clear-avg]').textContent()) === '05:00', 'average clearing time');

  // The server has it as the page showed it.
  const token = await h.login('control.330702001008');
  const list = await h.api('GET', '/api/v1/dispatch/events', { token });
  assert.equal(list.json.items[0].clear_how, 'owner_reached');
  assert.equal(list.json.items[0].clear_note, '电话联系车主，车已挪走');

  // The other community's control room saw nothing.
  assert.equal(await other.locator('.dispatch-popup').count(), 0);
  assert.equal(await other.locator('[data-test=events] .el-table__row').count(), 0);
  assert.equal(await other.locator('[data-test=control-room]').getAttribute('data-beeps'), '0');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'control-room.png'), fullPage: true });
  await ui.closePage(page);
  await ui.closePage(other);
});
