// A small hash router: #/path?query. Routes are a table of path → page
// component (loaded lazily) with the roles that may open it; the navigation
// menu is built from the same table. Unknown paths go to the overview.
import { reactive, defineAsyncComponent, markRaw } from 'vue';
import {
  Aim, Bell, Connection, DataAnalysis, DocumentAdd, Location, MessageBox, Monitor, Operation, Tickets,
  Upload, VideoCamera, Warning, Postcard,
} from '@element-plus/icons-vue';
import { session } from './session.js';

/** The roles that work on cases (the case pages' navigation). */
export const CASE_ROLES = ['handler', 'dispatcher', 'grid', 'leader'];

export const routes = [
  { path: '/', title: '首页', icon: 'HomeFilled', roles: null,
    component: () => import('./pages/HomePage.vue') },
  // Case work. The detail of a case is the list page with ?code=.
  { path: '/workbench', title: '工作台', iconComponent: markRaw(Monitor), roles: CASE_ROLES,
    component: () => import('./pages/cases/WorkbenchPage.vue') },
  { path: '/cases', title: '案件列表', iconComponent: markRaw(Tickets), roles: CASE_ROLES,
    component: () => import('./pages/cases/CaseListPage.vue') },
  { path: '/create', title: '受理案件', iconComponent: markRaw(DocumentAdd), roles: CASE_ROLES,
    component: () => import('./pages/cases/CaseCreatePage.vue') },
  { path: '/inbox', title: '移送收件箱', iconComponent: markRaw(MessageBox), roles: CASE_ROLES,
    component: () => import('./pages/cases/InboxPage.vue') },
  { path: '/indicators', title: '案件指标', iconComponent: markRaw(DataAnalysis), roles: ['leader', 'admin'],
    component: () => import('./pages/cases/IndicatorsPage.vue') },
  // Live dispatch: the field events of my unit (control rooms, fire rescue, traffic police).
  { path: '/control-room', title: '现场调度', iconComponent: markRaw(VideoCamera), roles: ['dispatcher', 'handler', 'leader'],
    component: () => import('./pages/ControlRoomPage.vue') },
  // Early warning: the alert centre and the rules with their backtests.
  { path: '/alerts', title: '预警中心', iconComponent: markRaw(Bell), roles: null,
    component: () => import('./pages/alerts/AlertCenterPage.vue') },
  { path: '/rules', title: '预警规则', iconComponent: markRaw(Operation), roles: ['leader', 'admin'],
    component: () => import('./pages/alerts/RulesPage.vue') },
  // The data hub (数据中台).
  { path: '/subjects', title: '对象查询', iconComponent: markRaw(Postcard), roles: null,
    component: () => import('./pages/datahub/SubjectsPage.vue') },
  { path: '/sources', title: '数据源', iconComponent: markRaw(Connection), roles: ['admin'],
    component: () => import('./pages/datahub/SourcesPage.vue') },
  { path: '/import', title: '文件导入', iconComponent: markRaw(Upload), roles: ['admin'],
    component: () => import('./pages/datahub/ImportPage.vue') },
  { path: '/quarantine', title: '隔离区', iconComponent: markRaw(Warning), roles: ['admin'],
    component: () => import('./pages/datahub/QuarantinePage.vue') },
  { path: '/regions', title: '区划与地图', icon: 'MapLocation', roles: null,
    component: () => import('./pages/RegionsPage.vue') },
  { path: '/map', title: '地图', iconComponent: markRaw(Location), roles: null,
    component: () => import('./pages/MapPage.vue') },
  { path: '/corrections', title: '社区矫正', iconComponent: markRaw(Aim), roles: null,
    component: () => import('./pages/CorrectionsPage.vue') },
  { path: '/units', title: '单位管理', icon: 'OfficeBuilding', roles: ['admin'],
    component: () => import('./pages/UnitsPage.vue') },
  { path: '/users', title: '用户管理', icon: 'User', roles: ['admin', 'leader'],
    component: () => import('./pages/UsersPage.vue') },
  { path: '/audit', title: '审计日志', icon: 'Document', roles: ['auditor'],
    component: () => import('./pages/AuditPage.vue') },
];

for (const r of routes) r.page = defineAsyncComponent(r.component);

function parse(hash) {
  const raw = (hash || '').replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(qs || '')) };
}

export const router = reactive({
  current: parse(location.hash),
  push(path) {
    if (location.hash === `#${path}`) return;
    location.hash = path;
  },
  replace(path) {
    // Signing in ('/login' → '/') lands the case roles on their workbench.
    const roles = session.user?.roles || [];
    if (path === '/' && router.current.path === '/login' && CASE_ROLES.some((r) => roles.includes(r))) {
      // A property control room's duty officer lands on the live events.
      path = session.user?.unit?.kind === 'property_control' ? '/control-room' : '/workbench';
    }
    history.replaceState(null, '', `#${path}`);
    router.current = parse(location.hash);
  },
});

window.addEventListener('hashchange', () => {
  router.current = parse(location.hash);
});

/** Routes the given roles may open, in menu order. */
export function routesFor(roles) {
  return routes.filter((r) => !r.roles || r.roles.some((x) => (roles || []).includes(x)));
}
