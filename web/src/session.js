// The signed-in user's session. The bearer token lives in sessionStorage so
// that it survives a reload but not the closing of the tab; the user object
// is refreshed from GET /session at start.
import { reactive } from 'vue';

const KEY = 'fazhi.token';

export const session = reactive({
  token: sessionStorage.getItem(KEY) || '',
  user: null,
  expiresAt: null,
});

export function setSession(token, user, expiresAt) {
  session.token = token;
  session.user = user;
  session.expiresAt = expiresAt;
  sessionStorage.setItem(KEY, token);
}

export function clearSession() {
  session.token = '';
  session.user = null;
  session.expiresAt = null;
  sessionStorage.removeItem(KEY);
}

export function hasRole(...roles) {
  const mine = session.user?.roles || [];
  return roles.some((r) => mine.includes(r));
}
