// Shared state and helpers of the case pages: the case type definitions
// (GET /case-types, loaded once), counting through cursor pages, the mapping
// of the engine's field errors onto generated forms, and attachment upload
// and download (raw bodies, which the JSON client in api.js does not send).
import { reactive } from 'vue';
import { ApiError, get, query } from '../../api.js';
import { session, clearSession } from '../../session.js';
import { router } from '../../router.js';
import { CASE_OPS } from '../../labels.js';

export const caseTypes = reactive({ items: [], loaded: false, error: null });

let loading = null;
/** Load the case type definitions once per page load. */
export function loadCaseTypes() {
  if (!loading) {
    loading = get('/case-types')
      .then((r) => {
        caseTypes.items = r.items || [];
        caseTypes.loaded = true;
        caseTypes.error = null;
        return caseTypes.items;
      })
      .catch((e) => {
        loading = null;
        caseTypes.error = e;
        throw e;
      });
  }
  return loading;
}

/** The definition (fields, states, transitions, ...) of a type, or null. */
export function typeDef(type) {
  return caseTypes.items.find((t) => t.type === type)?.definition || null;
}

export function typeTitle(type) {
  return caseTypes.items.find((t) => t.type === type)?.title || type;
}

export function fieldDefs(type) {
  return typeDef(type)?.fields || [];
}

export function fieldDef(type, name) {
  return fieldDefs(type).find((f) => f.name === name) || null;
}

/** The warning-level palette of a type: [{level, title}], [] if none. */
export function palette(type) {
  return typeDef(type)?.levels?.palette || [];
}

export function stateTitle(type, name) {
  if (!name) return '';
  return typeDef(type)?.states?.find((s) => s.name === name)?.title || name;
}

/** Title of a timeline action: a transition of the type or an engine operation. */
export function actionTitle(type, action) {
  if (action?.startsWith('transition.')) {
    const name = action.slice('transition.'.length);
    return typeDef(type)?.transitions?.find((t) => t.name === name)?.title || name;
  }
  return CASE_OPS[action] || action;
}

/** Fields that some transition asks for (filled in while the case is handled). */
export function stepFields(type) {
  const names = new Set();
  for (const t of typeDef(type)?.transitions || []) for (const f of t.fields || []) names.add(f);
  return names;
}

/** A field's value as text: option titles for enums, 是/否 for booleans. */
export function fieldText(def, value) {
  if (value === null || value === undefined || value === '') return '';
  if (!def) return String(value);
  if (def.type === 'enum') return def.options?.find((o) => o.value === value)?.title || String(value);
  if (def.type === 'bool') return value ? '是' : '否';
  if (def.type === 'number' && typeof value === 'number') return value.toLocaleString('zh-CN');
  return String(value);
}

/**
 * How many cases a list query matches, by walking the cursor pages (at most
 * cap). Returns { count, more } where more says the cap was reached.
 */
export async function countCases(path, params, cap = 1000) {
  let count = 0;
  let cursor = '';
  for (;;) {
    const r = await get(path, { ...params, limit: 200, cursor });
    count += (r.items || []).length;
    cursor = r.next_cursor;
    if (!cursor) return { count, more: false };
    if (count >= cap) return { count, more: true };
  }
}

/**
 * The case field an engine error names ("fields/amount", "amount" or
 * "fields"), and its message without the "fields/amount（涉及金额）: " prefix.
 */
export function caseFieldError(err) {
  const raw = String(err?.field || '');
  const name = raw.replace(/^\/?fields\//, '').split(/[/.[]/)[0];
  const detail = String(err?.detail || err?.title || '').replace(/^[\w/.[\]-]+(（[^）]*）)?\s*[:：]\s*/, '');
  return { name, detail: detail || err?.title || '' };
}

/** Human wording of a stale-version refusal (409 stale_version). */
export const isStale = (e) => e?.status === 409 && e?.code === 'stale_version';

/** Formats an error as one line for ElMessage. */
export const errorText = (e) => `${e.title || '操作失败'}${e.detail ? `：${e.detail}` : ''}`;

// ---- attachments ----

const TYPES = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  txt: 'text/plain',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The file extensions the server accepts, for <input accept>. */
export const ACCEPT = Object.keys(TYPES).map((x) => `.${x}`).join(',');

/** The Content-Type to declare for a file: by its extension, else the browser's guess. */
export function contentTypeOf(file) {
  const ext = (file.name.split('.').pop() || '').toLowerCase();
  return TYPES[ext] || file.type || 'application/octet-stream';
}

async function send(method, path, init = {}) {
  const headers = { accept: 'application/json', ...(init.headers || {}) };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { ...init, method, headers });
  } catch (e) {
    throw new ApiError(0, { title: '无法连接服务器', detail: String(e.message || e) });
  }
  if (res.ok) return res;
  const text = await res.text();
  let problem;
  try {
    problem = JSON.parse(text);
  } catch {
    problem = { detail: text.slice(0, 200) };
  }
  const err = new ApiError(res.status, problem || {});
  if (res.status === 401 || err.code === 'unauthorized') {
    clearSession();
    router.push('/login');
  }
  throw err;
}

/** POST a file as the raw body; `document` names the checklist entry it fulfils. */
export async function uploadAttachment(code, file, document) {
  const res = await send(
    'POST',
    `/cases/${encodeURIComponent(code)}/attachments${query({ name: file.name, document: document || '' })}`,
    { headers: { 'content-type': contentTypeOf(file) }, body: file },
  );
  return res.json();
}

/** Download an attachment: the API wants the bearer token, so fetch and save a blob. */
export async function downloadAttachment(code, att) {
  const res = await send('GET', `/cases/${encodeURIComponent(code)}/attachments/${att.id}`);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = att.name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Open the detail of a case (the list page with ?code=). */
export function openCase(code) {
  router.push(`/cases?code=${encodeURIComponent(code)}`);
}
