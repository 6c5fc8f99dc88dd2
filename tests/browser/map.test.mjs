// Browser test of the map page: the real districts, then a district's
// generated township cells labelled 生成 with the note that they are not
// official, drill-down by clicking and back by the breadcrumb, and a point
// located to every level. The screenshot is saved to
// build/test-artifacts/map-cells.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startConsole, inp, until, untilText, untilLoaded, ARTIFACTS } from '../lib/browser.mjs';

let ui;
before(async () => { ui = await startConsole(); });
after(async () => { if (ui) await ui.stop(); });

const MAP = '[data-test=geo-map]';
const mapState = (page) => page.locator(MAP).evaluate((e) => ({
  code: e.dataset.code, features: Number(e.dataset.featureCount), generated: Number(e.dataset.generatedCount),
}));
// The first township or village cells are generated on first use (the atlas):
// seconds on an idle machine, many more on a loaded one.
const CELLS = 120000;
const trailLength = (page) => page.locator('[data-test=map-trail] .el-breadcrumb__item').count();

/**
 * Clicks region code on the map as a user does: once the map is drawn and
 * its loading mask gone, at the region's pixel measured then (the map moves
 * when the note on generated cells appears above it). A click that did not
 * take (the breadcrumb did not grow, so nothing opened) is made again.
 */
async function clickRegion(page, code) {
  const before = await trailLength(page);
  await until(async () => {
    await untilLoaded(page, MAP, `the map before clicking ${code}`, CELLS);
    const px = await page.locator(MAP).evaluate((e, c) => e.fazhiPixelOf(c), code);
    const box = await page.locator(MAP).boundingBox();
    if (!px || !box) return false;
    await page.mouse.click(box.x + px[0], box.y + px[1]);
    return until(async () => (await trailLength(page)) > before, `the click on ${code} to take`, 5000)
      .catch(() => false);
  }, `a click on ${code} that opens it`, CELLS);
}

test('the map drills from real districts into generated township cells, marked 生成', async () => {
  const page = await ui.newPage();
  await ui.signIn(page, 'leader.330700');
  await page.locator('[data-test=nav-map]').click();
  await until(async () => (await mapState(page)).code === '330700', 'the districts are drawn', CELLS);
  assert.deepEqual(await mapState(page), { code: '330700', features: 9, generated: 0 });
  assert.equal(await page.locator('[data-test=generated-note]').count(), 0, 'real boundaries carry no note');

  // click inside 婺城区
  await clickRegion(page, '330702');
  await until(async () => (await mapState(page)).code === '330702', 'the district opens', CELLS);
  const towns = await mapState(page);
  const api = await ui.h.api('GET', '/api/v1/geo/cells/330702', { token: await ui.h.login('leader.330700') });
  assert.equal(towns.features, api.json.features.length);
  assert.equal(towns.generated, towns.features, 'every township cell is generated');
  await untilText(page.locator('[data-test=generated-note]'), /生成的示意边界（非官方）/, 'the note on generated cells');
  await untilText(page.locator('[data-test=map-summary]'), new RegExp(`其中\\s*${towns.generated}\\s*个为生成`), 'the summary');
  await untilText(page.locator('[data-test=map-trail]'), /金华市\s*\/\s*婺城区/, 'the breadcrumb');
  await untilLoaded(page, MAP, 'the township cells');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'map-cells.png') });

  // one level further: a township's villages, then back up by the breadcrumb
  const town = api.json.features[0].properties;
  await clickRegion(page, town.code);
  await until(async () => (await mapState(page)).code === town.code, 'the township opens', CELLS);
  const v = await mapState(page);
  assert.ok(v.code.startsWith('330702') && v.code.length === 9, v.code);
  await page.locator('[data-test=map-trail] a', { hasText: '金华市' }).click();
  await until(async () => (await mapState(page)).code === '330700', 'back to the city', CELLS);

  // locate a point in 义乌市 to every level
  await page.locator(inp('locate-lon')).fill('120.075');
  await page.locator(inp('locate-lat')).fill('29.306');
  await page.locator('[data-test=locate-go]').click();
  const result = page.locator('[data-test=locate-result]');
  const text = await untilText(result, /义乌市（330782）/, 'the located point', CELLS);
  assert.match(text, /330782\d{3}/);
  assert.match(text, /生成/);
  await until(async () => (await mapState(page)).code === '330782', 'the map follows the point', CELLS);

  // a bad coordinate gets the server's message
  await page.locator(inp('locate-lat')).fill('95');
  await page.locator('[data-test=locate-go]').click();
  await page.getByText('lat:').first().waitFor();
  await ui.closePage(page);
});
