// Deadlines on the Chinese holiday calendar through the API and the command
// line: counted across the 2025/2026 holidays with make-up working days,
// refused with errors naming the parameter, an uncovered year named; a new
// year imported by a city administrator (ICS or JSON) used at once, audited,
// and loaded again from the database when the server starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFazhi, BIN, T0 } from '../lib/fazhi.mjs';

let h, grid, admin;
before(async () => {
  h = await startFazhi();
  grid = await h.login('grid.330702001');
  admin = await h.login('admin.330700');
});
after(async () => { await h.stop(); });

const deadline = (q, token = grid) => h.api('GET', `/api/v1/calendar/deadline?${new URLSearchParams(q)}`, { token });
const dates = (list) => list.map((d) => d.date.slice(5)).join(' ');

// A made-up 2027, as a user would import it before a release ships it.
const ICS_2027 = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'X-WR-CALNAME:2027年节假日（测试）',
  'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20270101', 'DTEND;VALUE=DATE:20270104', 'SUMMARY:元旦(休)', 'END:VEVENT',
  'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20270206', 'DTEND;VALUE=DATE:20270215', 'SUMMARY:春节(休)', 'END:VEVENT',
  'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20270220', 'DTEND;VALUE=DATE:20270221', 'SUMMARY:春节(班)', 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

test('working days across the 2026 National Day skip the holiday and count the make-up Saturday', async () => {
  // from Tue 9-29: 9-30 (1), 10-1..10-7 off, 10-8 (2), 10-9 (3), Sat 10-10 make-up (4), Sun 10-11 off, 10-12 (5)
  const r = await deadline({ start: '2026-09-29T08:00:00+08:00', amount: 5, unit: 'workdays' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.deadline, '2026-10-12T16:00:00.000Z');
  assert.equal(r.json.deadline_local, '2026-10-12 24:00');
  assert.equal(r.json.rule, null);
  assert.equal(dates(r.json.skipped), '10-01 10-02 10-03 10-04 10-05 10-06 10-07 10-11');
  assert.deepEqual(r.json.skipped[0], { date: '2026-10-01', weekday: '周四', kind: 'holiday', reason: '国庆节' });
  assert.deepEqual(r.json.skipped.at(-1), { date: '2026-10-11', weekday: '周日', kind: 'weekend', reason: '周日' });
  assert.deepEqual(r.json.makeup_days, [{ date: '2026-10-10', weekday: '周六', kind: 'makeup', reason: '国庆节调休上班' }]);
  assert.match(r.json.basis, /行政处罚法》第八十五条/);
  assert.deepEqual(r.json.calendar, [{ year: 2026, source: 'chinese-days 1.5.7' }]);
});

test('working days across the 2025 Spring Festival; the start day never counts', async () => {
  // from Fri 1-24: Sat 1-25 off, Sun 1-26 make-up (1), 1-27 (2), 1-28..2-4 off, 2-5..2-7 (5), Sat 2-8 (6), 2-10 (7)
  const r = await deadline({ start: '2025-01-24T17:45:00+08:00', amount: 7, unit: 'workdays' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.deadline_local, '2025-02-10 24:00');
  assert.equal(dates(r.json.makeup_days), '01-26 02-08');
  assert.equal(r.json.skipped.length, 10);
  // 2026-02-13T16:30Z is already Sat 2-14 in Shanghai: the next working day is after the festival
  const s = await deadline({ start: '2026-02-13T16:30:00Z', amount: 1, unit: 'workdays' });
  assert.equal(s.json.start_local, '2026-02-14 00:30');
  assert.equal(s.json.deadline_local, '2026-02-24 24:00');
});

test('natural days, with and without the next-working-day rule; hours across midnight', async () => {
  // 10 days from Wed 2026-9-23 end on Sat 10-3, a holiday
  let r = await deadline({ start: '2026-09-23T09:00:00+08:00', amount: 10, unit: 'days' });
  assert.equal(r.json.deadline_local, '2026-10-03 24:00');
  assert.deepEqual(r.json.skipped, []);
  r = await deadline({ start: '2026-09-23T09:00:00+08:00', amount: 10, unit: 'days', rule: 'next_workday' });
  assert.equal(r.json.deadline, '2026-10-08T16:00:00.000Z');
  assert.equal(r.json.nominal_last_day, '2026-10-03');
  assert.equal(r.json.last_day, '2026-10-08');
  assert.equal(dates(r.json.skipped), '10-03 10-04 10-05 10-06 10-07');
  assert.match(r.json.basis, /民事诉讼法》第八十五条/);
  // ending on a make-up Saturday: the rule does not move it
  r = await deadline({ start: '2026-09-30', amount: 10, unit: 'days', rule: 'next_workday' });
  assert.equal(r.json.deadline_local, '2026-10-10 24:00');
  // 24 hours from a make-up Saturday night run through the holiday
  r = await deadline({ start: '2026-02-14T22:30:00+08:00', amount: 24, unit: 'hours' });
  assert.equal(r.json.deadline, '2026-02-15T14:30:00.000Z');
  assert.equal(r.json.deadline_local, '2026-02-15 22:30');
});

test('bad parameters get 400 naming the parameter', async () => {
  const cases = [
    [{ amount: 5, unit: 'days' }, 'start', /必填/],
    [{ start: 'yesterday', amount: 5, unit: 'days' }, 'start', /不是时间/],
    [{ start: '2026-03-02', unit: 'days' }, 'amount', /必填/],
    [{ start: '2026-03-02', amount: 'five', unit: 'days' }, 'amount', /不是正整数/],
    [{ start: '2026-03-02', amount: 0, unit: 'days' }, 'amount', /1 到 3660/],
    [{ start: '2026-03-02', amount: 9999, unit: 'workdays' }, 'amount', /1 到 2500/],
    [{ start: '2026-03-02', amount: 5 }, 'unit', /必填/],
    [{ start: '2026-03-02', amount: 5, unit: 'weeks' }, 'unit', /hours/],
    [{ start: '2026-03-02', amount: 5, unit: 'days', rule: 'next_holiday' }, 'rule', /next_workday/],
    [{ start: '2026-03-02', amount: 5, unit: 'hours', rule: 'next_workday' }, 'rule', /只适用于按日计算/],
  ];
  for (const [q, field, detail] of cases) {
    const r = await deadline(q);
    assert.equal(r.status, 400, JSON.stringify(q));
    assert.match(r.headers.get('content-type'), /problem\+json/);
    assert.equal(r.json.field, field, JSON.stringify(q));
    assert.match(r.json.detail, detail, JSON.stringify(q));
  }
  // an unencoded + in the offset arrives as a space, and is read as +
  const raw = await h.api('GET', '/api/v1/calendar/deadline?start=2026-09-29T08:00:00+08:00&amount=5&unit=workdays', { token: grid });
  assert.equal(raw.status, 200, raw.text);
  assert.equal(raw.json.start, '2026-09-29T00:00:00.000Z');
  const anon = await h.api('GET', '/api/v1/calendar/deadline?start=2026-03-02&amount=5&unit=days');
  assert.equal(anon.status, 401);
});

test('a year the calendar does not cover is named, not guessed', async () => {
  const r = await deadline({ start: '2026-12-28T09:00:00+08:00', amount: 5, unit: 'workdays' });
  assert.equal(r.status, 404);
  assert.equal(r.json.code, 'calendar_year_missing');
  assert.equal(r.json.field, 'calendar');
  assert.match(r.json.detail, /2027 年的节假日安排尚未导入（已有 2004–2026 年）/);
  // natural days need no calendar
  const d = await deadline({ start: '2027-03-01T09:00:00+08:00', amount: 10, unit: 'days' });
  assert.equal(d.status, 200);
  assert.equal(d.json.deadline_local, '2027-03-11 24:00');
});

test('the years covered come from the package, with their holidays', async () => {
  const r = await h.api('GET', '/api/v1/calendar/years', { token: grid });
  assert.equal(r.status, 200);
  const years = r.json.items.map((y) => y.year);
  assert.equal(years[0], 2004);
  assert.ok(years.includes(2026));
  const y26 = r.json.items.find((y) => y.year === 2026);
  assert.deepEqual(y26, { year: 2026, source: 'chinese-days 1.5.7', origin: 'package', imported_at: null, holidays: 33, workdays: 6 });
  const d = await h.api('GET', '/api/v1/calendar/years/2026', { token: grid });
  assert.equal(d.status, 200);
  assert.deepEqual(d.json.makeup_days.map((x) => x.date), ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
  assert.deepEqual(d.json.holiday_days.find((x) => x.date === '2026-02-23'), { date: '2026-02-23', weekday: '周一', name: '春节' });
  assert.equal((await h.api('GET', '/api/v1/calendar/years/2030', { token: grid })).json.code, 'calendar_year_missing');
  assert.equal((await h.api('GET', '/api/v1/calendar/years/20x6', { token: grid })).status, 400);
});

test('importing a year: city admins only, refused input names the line, then used at once and audited', async () => {
  const post = (body, { token = admin, type = 'text/calendar', query = '?year=2027' } = {}) =>
    h.api('POST', `/api/v1/calendar/years${query}`, { token, raw: body, headers: { 'content-type': type } });
  const district = await h.login('admin.330702');
  let r = await post(ICS_2027, { token: district });
  assert.equal(r.status, 403);
  assert.equal(r.json.field, 'calendar');
  r = await post(ICS_2027, { token: grid });
  assert.equal(r.status, 403, 'not an admin');
  r = await post(ICS_2027, { query: '' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'year');
  r = await post(ICS_2027.replace('SUMMARY:春节(班)', 'SUMMARY:春节'));
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'line 17');
  assert.match(r.json.detail, /第 17 行: SUMMARY “春节” 既不含/);
  r = await post(ICS_2027.replace('20270220', '20270222').replace('20270221', '20270223'));
  assert.equal(r.status, 400);
  assert.match(r.json.detail, /2027-02-22 是周一，调休上班日应为周六或周日/);
  r = await post(ICS_2027, { type: 'text/plain' });
  assert.equal(r.status, 415);
  r = await post(JSON.stringify({ years: [2027], holidays: { '2027-02-30': '春节' }, workdays: {} }), { type: 'application/json', query: '' });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, '/holidays/2027-02-30');
  assert.equal((await deadline({ start: '2026-12-28T09:00:00+08:00', amount: 5, unit: 'workdays' })).status, 404, 'nothing stuck');

  h.advance(60 * 1000);
  r = await post(ICS_2027);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), '/api/v1/calendar/years/2027');
  assert.deepEqual(r.json.items, [{ year: 2027, source: 'ICS: 2027年节假日（测试）', origin: 'database', imported_at: new Date(h.now()).toISOString(), holidays: 12, workdays: 1 }]);

  // used at once: from Mon 2026-12-28, 12-29..12-31 (3), 1-1..1-3 off, Mon 1-4 (4), Tue 1-5 (5)
  r = await deadline({ start: '2026-12-28T09:00:00+08:00', amount: 5, unit: 'workdays' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.deadline_local, '2027-01-05 24:00');
  assert.equal(dates(r.json.skipped), '01-01 01-02 01-03');
  assert.deepEqual(r.json.calendar.map((c) => c.source), ['chinese-days 1.5.7', 'ICS: 2027年节假日（测试）']);
  // the Spring Festival 2027: from Fri 2-5, 2-6..2-14 off, 2-15 (1) .. 2-19 (5), Sat 2-20 make-up (6)
  r = await deadline({ start: '2027-02-05T09:00:00+08:00', amount: 6, unit: 'workdays' });
  assert.equal(r.json.deadline_local, '2027-02-20 24:00');

  // a JSON import replaces a whole year, with its own source
  r = await post(JSON.stringify({ source: '国务院办公厅通知（修订）', years: [2027], holidays: { '2027-01-01': '元旦' }, workdays: {} }),
    { type: 'application/json', query: '' });
  assert.equal(r.status, 201, r.text);
  r = await deadline({ start: '2027-02-05T09:00:00+08:00', amount: 6, unit: 'workdays' });
  assert.equal(r.json.deadline_local, '2027-02-15 24:00', 'the ICS festival is gone');

  const auditor = await h.login('auditor.330700');
  const a = await h.api('GET', '/api/v1/audit?action=calendar.import', { token: auditor });
  assert.equal(a.status, 200);
  assert.equal(a.json.items.length, 2);
  assert.equal(a.json.items[1].actor.username, 'admin.330700');
  assert.equal(a.json.items[1].object_id, '2027');
  assert.match(a.json.items[1].summary, /导入 2027 年节假日安排：节假日 12 天，调休上班 1 天/);
  assert.equal(a.json.items[1].before_digest, '', 'nothing covered 2027 before');
  assert.equal(a.json.items[0].before_digest, a.json.items[1].after_digest);
  const v = await h.api('GET', '/api/v1/audit/verify', { token: auditor });
  assert.equal(v.json.ok, true);
});

test('fazhi serve loads the imported years from the database at start', async () => {
  // a second server on the same file sees 2027 as imported above (test order matters)
  const child = spawn(BIN, ['serve', '--db', h.db, '--listen', '127.0.0.1:0', '--clock-file', path.join(h.dir, 'clock')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { out += d; const m = out.match(/listening on (http:\S+)/); if (m) resolve(m[1]); });
    child.on('exit', (c) => reject(new Error(`exit ${c}: ${err}`)));
  });
  try {
    const res = await fetch(`${url}/api/v1/calendar/years`, { headers: { authorization: `Bearer ${grid}` } });
    assert.equal(res.status, 200);
    const body = await res.json();
    const y27 = body.items.find((y) => y.year === 2027);
    assert.equal(y27.origin, 'database');
    assert.equal(y27.source, '国务院办公厅通知（修订）');
  } finally {
    const done = new Promise((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGTERM');
    assert.equal(await done, 0, err);
  }
});

test('the command line computes, imports and lists', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fazhi-cal-'));
  // an import is stamped with the injected clock, never the wall clock
  const clock = path.join(dir, 'clock');
  writeFileSync(clock, String(T0));
  const run = (args) => spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, FAZHI_CLOCK_FILE: clock } });
  let r = run(['calendar', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /deadline --start T --amount N --unit hours\|days\|workdays/);
  for (const verb of ['deadline', 'import', 'years']) assert.equal(run(['calendar', verb, '--help']).status, 0);

  r = run(['calendar', 'deadline', '--start', '2026-02-12T10:00:00+08:00', '--amount', '5', '--unit', 'workdays']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /deadline {2}2026-02-26 24:00 Asia\/Shanghai \(2026-02-26T16:00:00.000Z\)/);
  assert.match(r.stdout, /skipped {3}2026-02-15 周日 春节/);
  assert.match(r.stdout, /counted {3}2026-02-14 周六 春节（调休上班）/);
  r = run(['calendar', 'deadline', '--start', '2026-09-23T09:00:00+08:00', '--amount', '10', '--unit', 'days', '--rule', 'next_workday', '--json']);
  assert.equal(JSON.parse(r.stdout).deadline, '2026-10-08T16:00:00.000Z');
  r = run(['calendar', 'deadline', '--start', '2026-03-02', '--amount', '5', '--unit', 'fortnights']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--unit: 应为 hours、days 或 workdays/);

  const db = path.join(dir, 'cal.db');
  assert.equal(run(['init', '--db', db]).status, 0);
  r = run(['calendar', 'deadline', '--start', '2026-12-28T09:00:00+08:00', '--amount', '5', '--unit', 'workdays', '--db', db]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /2027 年的节假日安排尚未导入/);
  const ics = path.join(dir, '2027.ics');
  writeFileSync(ics, ICS_2027.replace('20270220', '20270222').replace('20270221', '20270223'));
  r = run(['calendar', 'import', ics, '--db', db, '--year', '2027']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /2027\.ics: 第 15 行: 2027-02-22 是周一/);
  writeFileSync(ics, ICS_2027);
  r = run(['calendar', 'import', ics, '--db', db]);
  assert.equal(r.status, 1, 'ICS needs --year');
  assert.match(r.stderr, /须指明它描述的年份/);
  r = run(['calendar', 'import', ics, '--db', db, '--year', '2027', '--source', '国务院办公厅通知']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /imported 2027: 12 holidays, 1 make-up working days \(国务院办公厅通知\)/);
  r = run(['calendar', 'years', '--db', db]);
  assert.match(r.stdout, /2026 +33 +6 +package +chinese-days 1\.5\.7/);
  assert.match(r.stdout, /2027 +12 +1 +database +国务院办公厅通知 \(imported 2026-03-02T01:00:00\.000Z\)/);
  r = run(['calendar', 'deadline', '--start', '2026-12-28T09:00:00+08:00', '--amount', '5', '--unit', 'workdays', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /deadline {2}2027-01-05 24:00/);
  assert.match(r.stdout, /calendar {2}2027: 国务院办公厅通知/);
  r = run(['audit', 'verify', '--db', db]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /audit chain intact/);
});
