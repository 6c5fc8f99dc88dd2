// Red repeat-offender trucks pushed live to the units on duty (the seed's
// story: a truck that overloads again and again, mostly at night, is
// profiled; when it crosses a weigh station again the traffic police of
// the station's district get it on their console with where and when it is
// likely next, and intercept it within half an hour). On the injected
// clock: the weighing that turns the plate red raises one event for the
// traffic police and one for the transport bureau of 婺城区 over SSE; the
// police acknowledge and clear it as intercepted (response times in the
// stats); a yellow plate raises nothing; another district sees nothing;
// a second pass at another station after clearing is a new event; the
// overload route's own ways to clear it are enforced. And a minor's
// mandatory report (a case of type minor opened) is pushed live to the
// township's police station and the district's civil affairs and
// education bureaus, each answering for its own event.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi, openStream, eventually } from '../lib/fazhi.mjs';

const MIN = 60 * 1000;
const DAY = 86400000;
const PLATE = '浙G7N3Q8';
let h, key, police, transport, yiwuPolice, leader, stream, tstream;

const iso = (ms) => new Date(ms).toISOString();
let serial = 0;
// a 2-axle truck (18 t limit) at a station on G60 in 婺城区
const weigh = (at, { plate = PLATE, gross = 30000, station = 'JH-TEST-07', lon = 119.62, lat = 29.09 } = {}) =>
  h.api('POST', '/api/v1/records', {
    raw: JSON.stringify({
      type: 'overload.weighing', id: `od-${++serial}`, station, at: iso(at), plate, axles: 2,
      vehicle_kind: 'truck', gross_kg: gross, speed_kmh: 62, lane: 2,
      photo_ref: `wim/${serial}.jpg`, lon, lat,
    }),
    headers: { 'content-type': 'application/json', 'x-source-key': key },
  });

before(async () => {
  h = await startFazhi({ args: ['--session-ttl', '31536000', '--sse-heartbeat', '200'] });
  const admin = await h.login('admin.330700');
  const r = await h.api('POST', '/api/v1/sources', {
    token: admin, body: { name: 'wim-live', title: '治超称重（测试）', types: ['overload.weighing'] },
  });
  assert.equal(r.status, 201, r.text);
  key = r.json.key;
  police = await h.login('traffic.330702'); // 婺城区交警大队
  transport = await h.login('transport.330702'); // 婺城区交通运输局
  yiwuPolice = await h.login('traffic.330782');
  leader = await h.login('leader.330702');
  stream = await openStream(h.url, police);
  tstream = await openStream(h.url, transport);
});
after(async () => {
  if (stream) await stream.close();
  if (tstream) await tstream.close();
  if (h) await h.stop();
});

test('the weighing that turns a truck red reaches the traffic police live, with its profile', async () => {
  const now = h.now();
  // three earlier overloads at night: yellow, nothing pushed
  for (let i = 3; i >= 1; i--) {
    const r = await weigh(now - i * 7 * DAY - 3 * 3600000, { gross: 32000 + i * 1000 });
    assert.ok(r.status < 300, r.text);
  }
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(stream.events.filter((e) => e.data.plate === PLATE).length, 0);
  const list0 = await h.api('GET', '/api/v1/dispatch/events', { token: police });
  assert.equal(list0.json.items.filter((e) => e.plate === PLATE).length, 0);

  // the fourth overload, now: more than 3 in a year -> red -> pushed
  const r = await weigh(now, { gross: 41500 });
  assert.ok(r.status < 300, r.text);
  const ev = await stream.next((e) => e.event === 'dispatch.new' && e.data.plate === PLATE);
  const d = ev.data;
  assert.equal(d.kind, 'overload.overweight');
  assert.equal(d.title, '重点超限车辆过站');
  assert.equal(d.level, 'red');
  assert.equal(d.unit.name, '婺城区交警大队');
  assert.equal(d.device, 'JH-TEST-07');
  assert.equal(d.place, '治超站 JH-TEST-07');
  assert.equal(d.lane, '2');
  assert.equal(d.at, iso(now));
  assert.equal(d.region.code.slice(0, 6), '330702');
  assert.equal(d.detail.record.gross_kg, 41500);
  assert.equal(d.detail.rule, 'overload.repeat_offender');
  assert.equal(d.detail.prev_level, 'yellow');
  assert.ok(d.detail.summary.some((s) => s.includes('近一年超限 4 次')), JSON.stringify(d.detail.summary));
  // where and when next: the profile's top hour-of-week slots and stations
  assert.ok(d.detail.likely.hours.length >= 1, JSON.stringify(d.detail.likely));
  assert.equal(d.detail.likely.stations[0].value, 'JH-TEST-07');
  assert.match(d.detail.likely.text, /^最可能出现：周. \d\d:00-\d\d:00/);
  assert.match(d.detail.likely.text, /常经站点 JH-TEST-07/);
  assert.deepEqual(d.clear_options.map((c) => c.how), ['intercepted', 'not_found', 'other']);
  assert.equal(d.due_at, null); // no escalation on this route

  // the transport bureau of the district gets its own event
  const te = await tstream.next((e) => e.event === 'dispatch.new' && e.data.plate === PLATE);
  assert.equal(te.data.unit.name, '婺城区交通运输局');
  assert.notEqual(te.data.id, d.id);

  // another district's traffic police neither list nor open it
  const foreign = await h.api('GET', '/api/v1/dispatch/events', { token: yiwuPolice });
  assert.equal(foreign.json.items.filter((e) => e.plate === PLATE).length, 0);
  assert.equal((await h.api('GET', `/api/v1/dispatch/events/${d.id}`, { token: yiwuPolice })).status, 404);
  // the district's leader sees both
  const lead = await h.api('GET', '/api/v1/dispatch/events', { token: leader });
  assert.equal(lead.json.items.filter((e) => e.plate === PLATE).length, 2);
});

test('acknowledged at 3 minutes and intercepted at 25: response times per unit and day', async () => {
  const list = await h.api('GET', '/api/v1/dispatch/events?open=1', { token: police });
  const ev = list.json.items.find((e) => e.plate === PLATE);
  assert.ok(ev, list.text);
  const t = Date.parse(ev.at);
  // the transport bureau cannot act on the police's event
  assert.equal((await h.api('POST', `/api/v1/dispatch/events/${ev.id}/ack`, { token: transport })).status, 404);

  h.setNow(t + 3 * MIN);
  const ack = await h.api('POST', `/api/v1/dispatch/events/${ev.id}/ack`, { token: police });
  assert.equal(ack.status, 200, ack.text);
  assert.equal(ack.json.ack_s, 180);
  await stream.next((e) => e.event === 'dispatch.ack' && e.data.id === ev.id);

  // the fire-lane ways do not apply to an overload
  const bad = await h.api('POST', `/api/v1/dispatch/events/${ev.id}/clear`, { token: police, body: { how: 'towed' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'how');
  assert.match(bad.json.detail, /intercepted（已拦截）/);

  h.setNow(t + 25 * MIN);
  const clear = await h.api('POST', `/api/v1/dispatch/events/${ev.id}/clear`,
    { token: police, body: { how: 'intercepted', note: '金义东高速出口拦截，已卸载转运' } });
  assert.equal(clear.status, 200, clear.text);
  assert.equal(clear.json.status, 'cleared');
  assert.equal(clear.json.clear_how, 'intercepted');
  assert.equal(clear.json.clear_s, 1500);
  await stream.next((e) => e.event === 'dispatch.clear' && e.data.id === ev.id);

  const stats = await h.api('GET', '/api/v1/dispatch/stats', { token: police });
  assert.equal(stats.status, 200, stats.text);
  const day = stats.json.days.find((x) => x.unit_name === '婺城区交警大队');
  assert.ok(day, stats.text);
  assert.equal(day.events, 1);
  assert.equal(day.cleared, 1);
  assert.equal(day.ack_avg_s, 180);
  assert.equal(day.clear_max_s, 1500);

  // the transport bureau clears its own as not found
  const tl = await h.api('GET', '/api/v1/dispatch/events?open=1', { token: transport });
  const tev = tl.json.items.find((e) => e.plate === PLATE);
  const tc = await h.api('POST', `/api/v1/dispatch/events/${tev.id}/clear`, { token: transport, body: { how: 'not_found' } });
  assert.equal(tc.status, 200, tc.text);
  assert.equal(tc.json.acked_by, 'transport.330702');

  const audit = await h.api('GET', '/api/v1/audit?limit=50', { token: await h.login('auditor.330700') });
  assert.ok(audit.json.items.some((a) => a.action === 'dispatch.clear' && a.summary.includes('已拦截')),
    JSON.stringify(audit.json.items.slice(0, 5)));
});

test('the red truck at another station later is a new event; a weighing within limits raises none', async () => {
  const t = h.now() + 15 * MIN;
  h.setNow(t);
  let r = await weigh(t, { gross: 17000, station: 'JH-TEST-08' }); // within 18 t
  assert.ok(r.status < 300, r.text);
  r = await weigh(t + MIN, { gross: 36000, station: 'JH-TEST-08' });
  assert.ok(r.status < 300, r.text);
  const ev = await stream.next((e) => e.event === 'dispatch.new' && e.data.device === 'JH-TEST-08');
  assert.equal(ev.data.at, iso(t + MIN));
  assert.equal(ev.data.detail.prev_level, 'red');
  assert.ok(ev.data.detail.summary.some((s) => s.includes('近一年超限 5 次')));
  const mine = await h.api('GET', '/api/v1/dispatch/events?open=1', { token: police });
  assert.deepEqual(mine.json.items.filter((e) => e.plate === PLATE).map((e) => e.device), ['JH-TEST-08']);
});

test('a yellow plate raises nothing', async () => {
  const other = '浙G5H2W1';
  const t = h.now();
  await weigh(t - DAY, { plate: other });
  await weigh(t, { plate: other });
  // the alert exists (yellow) ...
  await eventually(async () => {
    const a = await h.api('GET', '/api/v1/alerts?rule=overload.repeat_offender&open=1&limit=200', { token: leader });
    return a.json.items.some((x) => x.subject === other && x.level === 'yellow');
  }, 'a yellow alert');
  await new Promise((res) => setTimeout(res, 300));
  // ... but no event was pushed or stored
  assert.equal(stream.events.filter((e) => e.data.plate === other).length, 0);
  const list = await h.api('GET', '/api/v1/dispatch/events', { token: police });
  assert.equal(list.json.items.filter((e) => e.plate === other).length, 0);
});

test("a minor's mandatory report is pushed live to the township's police, civil affairs and education", async () => {
  const police = await h.login('police.330702001'); // 城东派出所
  const civil = await h.login('civil.330702'); // 婺城区民政局 (the township has none)
  const edu = await h.login('edu.330702');
  const ps = await openStream(h.url, police);
  const cs = await openStream(h.url, civil);
  try {
    const grid = await h.login('grid.330702001');
    const r = await h.api('POST', '/api/v1/cases', { token: grid, body: { type: 'minor', region: '330702001008', fields: {
      situation: 'abuse_neglect', description: '儿童多日独自在家，身上有伤痕', child_age: 7, place: '桃园社区某幢',
      reporter: '桃园社区网格员', reporter_phone: '13900001111' } } });
    assert.equal(r.status, 201, r.text);
    const code = r.json.code;
    const pe = await ps.next((e) => e.event === 'dispatch.new' && e.data.device === code);
    assert.equal(pe.data.kind, 'minor.report');
    assert.equal(pe.data.title, '未成年人强制报告');
    assert.equal(pe.data.unit.name, '城东派出所');
    assert.equal(pe.data.place, '桃园社区某幢');
    assert.equal(pe.data.detail.case_code, code);
    assert.equal(pe.data.detail.child_age, 7);
    assert.ok(pe.data.detail.summary.includes('未成年人 7 岁'), JSON.stringify(pe.data.detail));
    // the reporter's name and phone are not pushed
    assert.doesNotMatch(JSON.stringify(pe.data), /13900001111|桃园社区网格员/);
    assert.deepEqual(pe.data.clear_options.map((c) => c.how), ['on_site', 'in_case', 'other']);
    const ce = await cs.next((e) => e.event === 'dispatch.new' && e.data.device === code);
    assert.equal(ce.data.unit.name, '婺城区民政局');
    const el = await h.api('GET', '/api/v1/dispatch/events?open=1', { token: edu });
    const ee = el.json.items.find((e) => e.device === code);
    assert.ok(ee, el.text);
    assert.equal(ee.unit.name, '婺城区教育局');
    // each unit answers for its own: the police on site in 10 minutes
    h.setNow(Date.parse(pe.data.at) + 10 * MIN);
    const c = await h.api('POST', `/api/v1/dispatch/events/${pe.data.id}/clear`, { token: police, body: { how: 'on_site' } });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.clear_s, 600);
    assert.equal((await h.api('POST', `/api/v1/dispatch/events/${ce.data.id}/ack`, { token: police })).status, 404);
  } finally {
    await ps.close();
    await cs.close();
  }
});
