// A small hash router: #/path?query. Routes are a table of path → page
// component (loaded lazily) with the roles that may open it; the navigation
// menu is built from the same table. Unknown paths go to the overview.
import { reactive, defineAsyncComponent } from 'vue';

export const routes = [
  { path: '/', title: '首页', icon: 'HomeFilled', roles: null,
    component: () => import('./pages/HomePage.vue') },
  { path: '/regions', title: '区划与地图', icon: 'MapLocation', roles: null,
    component: () => import('./pages/RegionsPage.vue') },
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
