// Live dispatch (平安小区) through a real mosquitto broker: the seed's story
// on the injected clock (a car in a fire lane, the community's control room
// alerted on its live stream, acknowledged, the owner reached, the lane
// clear in 5 minutes, response times recorded), a second event that nobody
// clears in 10 minutes escalating to fire rescue as a case, the scope of
// other units, resume after a reconnect, and bad device input counted
// rather than crashing anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFazhi, startMosquitto, openStream, eventually, T0 } from '../lib/fazhi.mjs';

const MIN = 60 * 1000;
const TOPIC = 'fazhi/ai-camera/community.camera_event'; // the demo's camera platform source
const CAM1 = 'CAM-330702001008-01'; // 桃园社区1号楼东侧消防通道
const CAM2 = 'CAM-330702001008-02'; // 桃园社区南门消防车道
let h, mq, control, other, fire, leader;
let stream;

const iso = (ms) => new Date(ms).toISOString();
let serial = 0;
function camEvent(camera, at, extra = {}) {
  return JSON.stringify({
    id: `ev-${++serial}`, camera, at: iso(at), kind: 'fire_lane', plate: '浙G12345',
    snapshot_ref: `snap/${serial}.jpg`, dwell_s: 60, lane: 'A', ...extra,
  });
}

before(async () => {
  mq = await startMosquitto();
  h = await startFazhi({ mqtt: mq.address,
    args: ['--scheduler-interval', '50', '--session-ttl', '31536000', '--sse-heartbeat', '200'] });
  control = await h.login('control.330702001008'); // 桃园社区物业监控室
  other = await h.login('control.330702001010'); // 青春路社区物业监控室
  fire = await h.login('fire.330702'); // 婺城区消防救援大队
  leader = await h.login('leader.330702');
  // The client subscribes once connected: wait for it before publishing.
  await eventually(async () => /fazhi_mqtt_connected 1/.test((await h.api('GET', '/metrics')).text), 'the MQTT client to connect');
  stream = await openStream(h.url, control);
});
after(async () => {
  if (stream) await stream.close();
  if (h) await h.stop();
  if (mq) await mq.stop();
});

async function metric(name) {
  const m = await h.api('GET', '/metrics');
  const line = m.text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : NaN;
}

test('a car in a fire lane reaches the control room live, is acknowledged and cleared in 5 minutes', async () => {
  await mq.publish(TOPIC, camEvent(CAM1, T0));
  const ev = await stream.next((e) => e.event === 'dispatch.new' && e.data.device === CAM1);
  assert.equal(ev.data.title, '消防通道占用');
  assert.equal(ev.data.unit.name, '桃园社区物业监控室');
  assert.equal(ev.data.place, '桃园社区1号楼东侧消防通道');
  assert.equal(ev.data.region.code, '330702001008');
  assert.equal(ev.data.status, 'new');
  const id = ev.data.id;

  // The same car, same lane, 30 s later: one event that has lasted longer.
  h.setNow(T0 + MIN / 2);
  await mq.publish(TOPIC, camEvent(CAM1, T0 + MIN / 2, { dwell_s: 90 }));
  const upd = await stream.next((e) => e.event === 'dispatch.update' && e.data.id === id);
  assert.equal(upd.data.sightings, 2);
  assert.equal(upd.data.dwell_s, 90);
  const list = await h.api('GET', '/api/v1/dispatch/events?open=1', { token: control });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map((e) => e.id), [id]);

  // Another community's control room neither lists nor opens it.
  const foreign = await h.api('GET', '/api/v1/dispatch/events', { token: other });
  assert.equal(foreign.json.items.length, 0);
  assert.equal((await h.api('GET', `/api/v1/dispatch/events/${id}`, { token: other })).status, 404);
  const theirs = await h.api('POST', `/api/v1/dispatch/events/${id}/ack`, { token: other });
  assert.equal(theirs.status, 404);

  h.setNow(T0 + MIN);
  const ack = await h.api('POST', `/api/v1/dispatch/events/${id}/ack`, { token: control });
  assert.equal(ack.status, 200, ack.text);
  assert.equal(ack.json.status, 'acknowledged');
  assert.equal(ack.json.acked_by, 'control.330702001008');
  assert.equal(ack.json.ack_s, 60);
  await stream.next((e) => e.event === 'dispatch.ack' && e.data.id === id);
  const again = await h.api('POST', `/api/v1/dispatch/events/${id}/ack`, { token: control });
  assert.equal(again.status, 409);

  const bad = await h.api('POST', `/api/v1/dispatch/events/${id}/clear`, { token: control, body: { how: 'magic' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'how');
  const noNote = await h.api('POST', `/api/v1/dispatch/events/${id}/clear`, { token: control, body: { how: 'other' } });
  assert.equal(noNote.status, 400);
  assert.equal(noNote.json.field, 'note');

  h.setNow(T0 + 5 * MIN);
  const clear = await h.api('POST', `/api/v1/dispatch/events/${id}/clear`,
    { token: control, body: { how: 'owner_reached', note: '电话联系车主，已挪走' } });
  assert.equal(clear.status, 200, clear.text);
  assert.equal(clear.json.status, 'cleared');
  assert.equal(clear.json.clear_how, 'owner_reached');
  assert.equal(clear.json.cleared_by, 'control.330702001008');
  assert.equal(clear.json.clear_s, 300);
  await stream.next((e) => e.event === 'dispatch.clear' && e.data.id === id);
  assert.equal((await h.api('POST', `/api/v1/dispatch/events/${id}/clear`,
    { token: control, body: { how: 'towed' } })).status, 409);

  // A cleared event never escalates, however long we wait.
  h.setNow(T0 + 30 * MIN);
  await new Promise((r) => setTimeout(r, 200));
  const after30 = await h.api('GET', `/api/v1/dispatch/events/${id}`, { token: control });
  assert.equal(after30.json.escalated_at, null);
  assert.equal(after30.json.case_code, null);

  // The acknowledgement and the clearing are in the audit log.
  const auditor = await h.login('auditor.330700');
  const audit = await h.api('GET', '/api/v1/audit?action=dispatch.clear', { token: auditor });
  assert.equal(audit.status, 200);
  assert.ok(audit.json.items.some((e) => e.actor.username === 'control.330702001008' && e.object_id === String(id)), audit.text);
});

test('response times per unit and day', async () => {
  const s = await h.api('GET', '/api/v1/dispatch/stats?from=2026-03-02&to=2026-03-02', { token: control });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.days.length, 1);
  const d = s.json.days[0];
  assert.equal(d.day, '2026-03-02');
  assert.equal(d.unit_name, '桃园社区物业监控室');
  assert.equal(d.events, 1);
  assert.equal(d.ack_avg_s, 60);
  assert.equal(d.clear_avg_s, 300);
  // A leader of the district sees every unit of the district.
  const l = await h.api('GET', '/api/v1/dispatch/stats?from=2026-03-02&to=2026-03-02', { token: leader });
  assert.equal(l.json.total.events, 1);
  const bad = await h.api('GET', '/api/v1/dispatch/stats?from=2026-3-2', { token: control });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'from');
});

test('an event not cleared in 10 minutes escalates to fire rescue and becomes a case', async () => {
  const t1 = T0 + 40 * MIN;
  h.setNow(t1);
  const fireStream = await openStream(h.url, fire);
  try {
    await mq.publish(TOPIC, camEvent(CAM2, t1, { plate: '浙G8A888', lane: 'south' }));
    const ev = await stream.next((e) => e.event === 'dispatch.new' && e.data.device === CAM2);
    const id = ev.data.id;
    h.setNow(t1 + 9 * MIN);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await h.api('GET', `/api/v1/dispatch/events/${id}`, { token: control })).json.escalated_at, null);
    // Fire rescue does not see it before escalation.
    assert.equal((await h.api('GET', `/api/v1/dispatch/events/${id}`, { token: fire })).status, 404);

    h.setNow(t1 + 10 * MIN + 1000);
    const esc = await fireStream.next((e) => e.event === 'dispatch.escalate' && e.data.id === id);
    assert.equal(esc.data.escalated_unit.name, '婺城区消防救援大队');
    assert.match(esc.data.case_code, /^XF/);
    await stream.next((e) => e.event === 'dispatch.escalate' && e.data.id === id);

    // The case is fire rescue's, with the event's facts and its legal clock.
    const c = await h.api('GET', `/api/v1/cases/${esc.data.case_code}`, { token: fire });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.type, 'fire_lane');
    assert.equal(c.json.fields.place, '桃园社区南门消防车道');
    assert.equal(c.json.fields.plate, '浙G8A888');
    assert.equal(c.json.fields.event_id, id);

    // Fire rescue clears the lane; the control room sees it cleared.
    const clear = await h.api('POST', `/api/v1/dispatch/events/${id}/clear`,
      { token: fire, body: { how: 'towed' } });
    assert.equal(clear.status, 200, clear.text);
    assert.equal(clear.json.cleared_by, 'fire.330702');
    await stream.next((e) => e.event === 'dispatch.clear' && e.data.id === id);
  } finally {
    await fireStream.close();
  }
  const s = await h.api('GET', '/api/v1/dispatch/stats?from=2026-03-02&to=2026-03-02', { token: control });
  assert.equal(s.json.days[0].escalated, 1);
});

test('a reconnecting console resumes from Last-Event-ID', async () => {
  const last = stream.events[stream.events.length - 1].id;
  await stream.close();
  h.setNow(T0 + 120 * MIN);
  await mq.publish(TOPIC, camEvent(CAM1, T0 + 120 * MIN, { plate: '浙GD12345' }));
  // Published while the console was away.
  await eventually(async () => (await metric('fazhi_dispatch_records_total{result="event"}')) >= 3, 'the third event');
  stream = await openStream(h.url, control, { lastEventId: last });
  const missed = await stream.next((e) => e.event === 'dispatch.new');
  assert.equal(missed.data.plate, '浙GD12345');
  assert.ok(missed.id > last);
});

test('a camera may push over HTTP too (POST /api/v1/records with its source key)', async () => {
  const admin = await h.login('admin.330700');
  const rot = await h.api('POST', '/api/v1/sources/ai-camera/rotate', { token: admin });
  assert.equal(rot.status, 200, rot.text);
  h.setNow(T0 + 130 * MIN);
  const r = await h.api('POST', '/api/v1/records?type=community.camera_event', {
    headers: { 'x-source-key': rot.json.key, 'content-type': 'application/json' },
    raw: camEvent(CAM2, T0 + 130 * MIN, { plate: '浙G7H777' }),
  });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  assert.equal(r.json.accepted, 1, r.text);
  const ev = await stream.next((e) => e.event === 'dispatch.new' && e.data.plate === '浙G7H777');
  assert.equal(ev.data.place, '桃园社区南门消防车道');
  assert.ok(ev.data.id > 0);
});

test('the stream takes the token from the query (EventSource) and refuses without one', async () => {
  const res = await fetch(`${h.url}/api/v1/dispatch/stream`);
  assert.equal(res.status, 401);
  await res.text();
  const ac = new AbortController();
  const ok = await fetch(`${h.url}/api/v1/dispatch/stream?access_token=${encodeURIComponent(control)}`, { signal: ac.signal });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type'), /text\/event-stream/);
  ac.abort();
  // The query token is for the stream only.
  const list = await fetch(`${h.url}/api/v1/dispatch/events?access_token=${encodeURIComponent(control)}`);
  assert.equal(list.status, 401);
  await list.text();
});

test('streams get heartbeats, and a console that goes away is cleaned up', async () => {
  // Streams closed by earlier tests are gone after a heartbeat or two: only
  // the control room's own stream stays.
  await eventually(async () => (await metric('fazhi_sse_subscribers')) === 1, 'one stream left');
  const before = await metric('fazhi_sse_subscribers');
  assert.equal(before, 1);
  const ac = new AbortController();
  const res = await fetch(`${h.url}/api/v1/dispatch/stream`, { headers: { authorization: `Bearer ${other}` }, signal: ac.signal });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  let text = '';
  while (!text.includes(': heartbeat')) text += new TextDecoder().decode((await reader.read()).value);
  assert.equal(await metric('fazhi_sse_subscribers'), before + 1);
  ac.abort();
  // The next heartbeat fails to write and the server drops the stream.
  await eventually(async () => (await metric('fazhi_sse_subscribers')) === before, 'the closed stream to be dropped');
  assert.equal(await metric('fazhi_sse_subscribers'), before);
});

test('an open event survives a restart and still escalates when it falls due', async () => {
  const t2 = T0 + 200 * MIN;
  h.setNow(t2);
  await mq.publish(TOPIC, camEvent(CAM1, t2, { plate: '浙G3C333', lane: 'north' }));
  const ev = await stream.next((e) => e.event === 'dispatch.new' && e.data.plate === '浙G3C333');
  await stream.close();
  await h.restart(); // the event and its due time are in the store, not in memory
  h.setNow(t2 + 30 * MIN);
  const got = await eventually(async () => {
    const r = await h.api('GET', `/api/v1/dispatch/events/${ev.data.id}`, { token: control });
    return r.json?.escalated_at && r;
  }, 'the escalation after the restart');
  assert.equal(got.json.escalated_unit.name, '婺城区消防救援大队');
  assert.match(got.json.case_code, /^XF/);
  stream = await openStream(h.url, control);
});

test('bad device messages are quarantined or refused with a reason, never crash, never become events', async () => {
  const admin = await h.login('admin.330700');
  const before = await metric('fazhi_dispatch_records_total{result="event"}');
  const refusedBefore = await metric('fazhi_mqtt_messages_total{result="refused"}');
  const topicBefore = await metric('fazhi_mqtt_messages_total{result="bad_topic"}');
  const quarantined = async () => (await h.api('GET', '/api/v1/quarantine?limit=200', { token: admin })).json.items;
  const qBefore = (await quarantined()).length;
  await mq.publish(TOPIC, '{"camera": "CAM-330702001008-01", "kind": "fire_lane"'); // not JSON
  await mq.publish(TOPIC, JSON.stringify({ id: 'bad-at', camera: CAM1, kind: 'fire_lane', at: 'yesterday', snapshot_ref: 'x', dwell_s: 1 }));
  // An unknown source, and topics that are not <prefix>/<source>/<type>.
  await mq.publish('fazhi/cam-unknown/community.camera_event', camEvent(CAM1, T0));
  await mq.publish('fazhi/ai-camera/community.camera_event!', camEvent(CAM1, T0));
  await mq.publish('fazhi/bad source/community.camera_event', camEvent(CAM1, T0));
  await eventually(async () => (await quarantined()).length >= qBefore + 2 &&
      (await metric('fazhi_mqtt_messages_total{result="refused"}')) >= refusedBefore + 1 &&
      (await metric('fazhi_mqtt_messages_total{result="bad_topic"}')) >= topicBefore + 2,
    'the bad messages to be quarantined or counted');
  // Kept in quarantine with their reasons, not dropped.
  const q = await quarantined();
  assert.equal(q.length, qBefore + 2, JSON.stringify(q.slice(0, 3)));
  assert.equal(await metric('fazhi_mqtt_messages_total{result="refused"}'), refusedBefore + 1);
  assert.equal(await metric('fazhi_mqtt_messages_total{result="bad_topic"}'), topicBefore + 2);
  assert.equal(await metric('fazhi_dispatch_records_total{result="event"}'), before);
  assert.match(h.stderr(), /mqtt: refused 1 message\(s\) from source cam-unknown \(type community.camera_event\): /);
  assert.match(h.stderr(), /mqtt: \d+ of \d+ lines from source ai-camera \(community.camera_event\) quarantined/);
  // An unregistered camera with no position is counted as unroutable.
  await mq.publish(TOPIC, camEvent('CAM-UNKNOWN', T0 + 121 * MIN));
  await eventually(async () => (await metric('fazhi_dispatch_records_total{result="unroutable"}')) >= 1, 'the unroutable count');
  assert.equal(await metric('fazhi_dispatch_records_total{result="unroutable"}'), 1);
});
