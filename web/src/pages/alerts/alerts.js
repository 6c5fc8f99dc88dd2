// Shared by the alert pages: level colours and names, status names.
export const LEVELS = [
  { value: 'red', title: '红色', tag: 'danger' },
  { value: 'yellow', title: '黄色', tag: 'warning' },
  { value: 'green', title: '绿色', tag: 'success' },
];
export const STATUSES = [
  { value: 'new', title: '新预警' },
  { value: 'acknowledged', title: '已确认' },
  { value: 'case', title: '已转案件' },
  { value: 'dismissed', title: '已排除' },
];
export const levelTag = (v) => LEVELS.find((l) => l.value === v)?.tag || 'info';
export const levelTitle = (v) => LEVELS.find((l) => l.value === v)?.title || v;
export const statusTitle = (v) => STATUSES.find((s) => s.value === v)?.title || v;
export const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
export const slotText = (s) =>
  (s.weekday !== undefined ? `${WEEKDAYS[s.weekday]} ` : '') + `${String(s.hour).padStart(2, '0')}:00-${String(s.hour + 1).padStart(2, '0')}:00`;
export const when = (iso) => (iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '');
