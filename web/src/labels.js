// Chinese labels and formatting shared by the pages. Role and unit-kind names
// come from the server (GET /roles, GET /unit-kinds); the table here is only a
// fallback while those load.
import { reactive } from 'vue';
import { get } from './api.js';

export const LEVELS = {
  province: '省',
  city: '市',
  district: '县区',
  township: '乡镇街道',
  village: '村社区',
};

export const levelName = (level) => LEVELS[level] || level || '';

const ROLE_FALLBACK = {
  admin: '系统管理员',
  leader: '领导',
  dispatcher: '调度员',
  handler: '案件承办人',
  grid: '网格员',
  auditor: '审计员',
};

export const catalog = reactive({ roles: [], unitKinds: [], loaded: false });

let loading = null;
/** Load the role and unit-kind catalogues once per session. */
export function loadCatalog() {
  if (!loading) {
    loading = Promise.all([get('/roles'), get('/unit-kinds')])
      .then(([roles, kinds]) => {
        catalog.roles = roles.items || [];
        catalog.unitKinds = kinds.items || [];
        catalog.loaded = true;
      })
      .catch((e) => {
        loading = null;
        throw e;
      });
  }
  return loading;
}

export function roleName(role) {
  const hit = catalog.roles.find((r) => r.role === role);
  return hit ? hit.name : ROLE_FALLBACK[role] || role;
}

export function kindName(kind) {
  const hit = catalog.unitKinds.find((k) => k.kind === kind);
  return hit ? hit.name : kind;
}

const timeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** Format an RFC 3339 timestamp (or epoch ms) as Asia/Shanghai wall time. */
export function formatTime(value) {
  if (value === null || value === undefined || value === '') return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const p = Object.fromEntries(timeFormat.formatToParts(d).map((x) => [x.type, x.value]));
  const hour = p.hour === '24' ? '00' : p.hour;
  return `${p.year}-${p.month}-${p.day} ${hour}:${p.minute}:${p.second}`;
}

/** Turn "YYYY-MM-DD HH:mm:ss" Shanghai wall time into an RFC 3339 UTC string. */
export function shanghaiToRfc3339(wall) {
  if (!wall) return '';
  const d = new Date(`${wall.replace(' ', 'T')}+08:00`);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.000Z$/, 'Z');
}

export function regionLabel(region) {
  if (!region) return '';
  return region.name ? `${region.name}（${region.code}）` : region.code;
}
