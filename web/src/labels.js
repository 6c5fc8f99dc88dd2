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

// ---- cases ----

/** Colours of the case warning levels a type's palette may name (红/黄/绿 by default). */
export const CASE_LEVEL_COLOURS = {
  red: '#d93025',
  orange: '#f07c00',
  yellow: '#e6a700',
  blue: '#1e6fd9',
  green: '#2e9d4f',
};

export const caseLevelColour = (level) => CASE_LEVEL_COLOURS[level] || '#909399';

/** Timeline actions of the case engine that are not transitions of the type. */
export const CASE_OPS = {
  create: '受理',
  attach: '上传附件',
  comment: '批注',
  fields: '补充信息',
  assign: '指派',
  owner: '领导包案',
  team: '组建专班',
  level: '调整预警等级',
  escalate: '提级处理',
  link: '关联案件',
  merge: '合并重复件',
  visit: '回访',
  reopen: '重新办理',
  pause: '暂停计时',
  resume: '恢复计时',
  extend: '延长期限',
  'clock.warn': '临期预警',
  'clock.breach': '超期',
};

export const CLOCK_STATUS = {
  running: '计时中',
  paused: '已暂停',
  breached: '已超期',
  stopped: '已停止',
};

/** 3 天 4 小时 / 5 小时 12 分 / 45 分 10 秒, for a non-negative number of ms. */
export function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} 天 ${h} 小时`;
  if (h > 0) return `${h} 小时 ${m} 分`;
  return `${m} 分 ${sec} 秒`;
}

export function formatSize(bytes) {
  if (bytes === null || bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
