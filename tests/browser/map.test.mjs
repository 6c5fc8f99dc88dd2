// Browser test of the map page: the real districts, then a district's
// generated township cells labelled 生成 with the note that they are not
// official, drill-down by clicking and back by the breadcrumb, and a point
// located to every level. The screenshot is saved to
// build/test-artifacts/map-cells.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startConsole, inp, until, ARTIFACTS } from '../lib/browser.mjs';

let ui;
before(async () => { ui = await startConsole(); });
after(async () => { if (ui) await ui.stop(); });

const mapState = (page) => page.locator('[data-test=geo-map]').evaluate((e) => ({
  code: e.dataset.code, features: Number(e.dataset.featureCount), generated: Number(e.dataset.generatedCount),
}));

test('the map drills from real districts into generated township cells, marked 生成', async () => {
  const page = await ui.newPage();
  await ui.signIn(page, 'leader.330700');
  await page.locator('[data-test=nav-map]').click();
  await until(async () => (await mapState(page)).code === '330700', 'the districts are drawn');
  assert.deepEqual(await mapState(page), { code: '330700', features: 9, generated: 0 });
  assert.equal(await page.locator('[data-test=generated-note]').count(), 0, 'real boundaries carry no note');

  // click inside 婺城区
  const px = await page.locator('[data-test=geo-map]').evaluate((e) => e.fazhiPixelOf('330702'));
  const box = await page.locator('[data-test=geo-map]').boundingBox();
  await page.mouse.click(box.x + px[0], box.y + px[1]);
  await until(async () => (await mapState(page)).code === '330702', 'the district opens');
  const towns = await mapState(page);
  const api = await ui.h.api('GET', '/api/v1/geo/cells/330702', { token: await ui.h.login('leader.330700') });
  assert.equal(towns.features, api.json.features.length);
  assert.equal(towns.generated, towns.features, 'every township cell is generated');
  assert.match(await page.locator('[data-test=generated-note]').innerText(), /生成的示意边界（非官方）/);
  assert.match(await page.locator('[data-test=map-summary]').innerText(), new RegExp(`其中\\s*${towns.generated}\\s*个为生成`));
  assert.match(await page.locator('[data-test=map-trail]').innerText(), /金华市\s*\/\s*婺城区/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'map-cells.png') });

  // one level further: a township's villages, then back up by the breadcrumb
  const town = api.json.features[0].properties;
  const tpx = await page.locator('[data-test=geo-map]').evaluate((e, c) => e.fazhiPixelOf(c), town.code);
  await page.mouse.click(box.x + tpx[0], box.y + tpx[1]);
  await until(async () => (await mapState(page)).code !== '330702', 'a township opens');
  const v = await mapState(page);
  assert.ok(v.code.startsWith('330702') && v.code.length === 9, v.code);
  await page.locator('[data-test=map-trail] a', { hasText: '金华市' }).click();
  await until(async () => (await mapState(page)).code === '330700', 'back to the city');

  // locate a point in 义乌市 to every level
  await page.locator(inp('locate-lon')).fill('120.075');
  await page.locator(inp('locate-lat')).fill('29.306');
  await page.locator('[data-test=locate-go]').click();
  const result = page.locator('[data-test=locate-result]');
  await result.waitFor();
  const text = await result.innerText();
  assert.match(text, /义乌市（330782）/);
  assert.match(text, /330782\d{3}/);
  assert.match(text, /生成/);
  await until(async () => (await mapState(page)).code === '330782', 'the map follows the point');

  // a bad coordinate gets the server's message
  await page.locator(inp('locate-lat')).fill('95');
  await page.locator('[data-test=locate-go]').click();
  await page.getByText('lat:').first().waitFor();
  await ui.closePage(page);
});
