// Who is using the console: the bearer token they pasted (kept in sessionStorage, so it is gone
// when the tab closes) and what the registry says it grants (GET /api/v1/me).

const TOKEN_KEY = 'larder.console.token';
const RANK = { reader: 1, writer: 2, admin: 3 };

export const session = {
  /** {subject, authentication, roles: {project or '*': role}} once known. */
  me: null,

  /** Why the caller was signed out, for the sign-in form. */
  reason: null,

  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },

  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** The strongest role held in the project, its own or the wildcard's; null for none. */
export function roleIn(project) {
  const roles = session.me?.roles ?? {};
  const own = roles[project];
  const any = roles['*'];
  if (!own) return any ?? null;
  if (!any) return own;
  return RANK[own] >= RANK[any] ? own : any;
}

/** Whether the caller holds at least `role` in the project (as the services decide it). */
export function may(role, project) {
  const held = roleIn(project);
  return held !== null && RANK[held] >= RANK[role];
}

/** Whether the caller may read at least one project (listings hold only those). */
export function readsAnything() {
  return Object.keys(session.me?.roles ?? {}).length > 0;
}
