// Thin client for the fazhi HTTP API (/api/v1). Every call returns the parsed
// JSON body (or null for 204) and throws an ApiError carrying the server's
// problem+json fields otherwise. A 401 on any call but sign-in ends the
// session and sends the user back to the sign-in page.
import { session, clearSession } from './session.js';
import { router } from './router.js';

const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || null;
    this.title = problem.title || `请求失败（HTTP ${status}）`;
    this.detail = problem.detail || '';
    this.field = problem.field ?? null;
    this.retryAfter = problem.retry_after ?? null;
  }
}

/** Build a query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch (e) {
    throw new ApiError(0, { title: '无法连接服务器', detail: String(e.message || e) });
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.ok) return json;
  const problem = json && typeof json === 'object' ? json : { detail: text.slice(0, 200) };
  const err = new ApiError(res.status, problem);
  const isSignIn = path === '/session' && method === 'POST';
  // The machine code is checked too, so that a wrong status cannot strand the user.
  if ((res.status === 401 || err.code === 'unauthorized') && !isSignIn) {
    clearSession();
    router.push('/login');
  }
  throw err;
}

export const get = (path, params) => api('GET', path + query(params));
export const post = (path, body) => api('POST', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);
