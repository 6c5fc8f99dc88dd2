// Health, metrics, the OpenAPI document and the console files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startFazhi } from '../lib/fazhi.mjs';

/* A GET whose path is sent as is (fetch would normalise "..") */
function rawGet(p) {
  return new Promise((resolve, reject) => {
    const u = new URL(h.url);
    http.get({ host: u.hostname, port: u.port, path: p }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

let h;
before(async () => { h = await startFazhi(); });
after(async () => { await h.stop(); });

test('healthz', async () => {
  const r = await h.api('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.ok(r.json.regions > 3400);
});

test('metrics count requests per route, errors, latency and store commits', async () => {
  const t = await h.login('admin.330700');
  await h.api('GET', '/api/v1/regions/330702', { token: t });
  await h.api('GET', '/api/v1/regions/330702', { token: t });
  await h.api('GET', '/api/v1/regions/1', { token: t });
  const r = await h.api('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/plain/);
  const line = (re) => r.text.split('\n').find((l) => re.test(l));
  assert.match(line(/^fazhi_http_requests_total\{route="\/api\/v1\/regions\/\{code\}",method="GET",code="2xx"\}/), / 2$/);
  assert.match(line(/^fazhi_http_requests_total\{route="\/api\/v1\/regions\/\{code\}",method="GET",code="4xx"\}/), / 1$/);
  assert.match(line(/^fazhi_http_errors_total\{class="4xx"\}/), / [1-9]\d*$/);
  assert.match(line(/^fazhi_http_request_duration_seconds_count\{route="\/api\/v1\/regions\/\{code\}"/), / 3$/);
  assert.ok(line(/le="\+Inf"/));
  assert.match(line(/^fazhi_store_commits_total /), / [1-9]\d*$/, 'the sign-in was committed');
});

test('the OpenAPI document is served', async () => {
  const r = await h.api('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.json.openapi, '3.1.0');
  assert.ok(r.json.paths['/api/v1/session'].post);
});

test('the console is served at / with index.html for client routes', async () => {
  const r = await h.api('GET', '/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.text, /<div id="app"/);
  const deep = await h.api('GET', '/users');
  assert.equal(deep.status, 200);
  assert.equal(deep.text, r.text);
  const trav = await rawGet('/../../etc/passwd');
  assert.equal(trav.status, 404, 'no way out of the console directory');
  assert.doesNotMatch(trav.body, /root:/);
  const missing = await h.api('GET', '/assets/none.js');
  assert.equal(missing.status, 404);
});
