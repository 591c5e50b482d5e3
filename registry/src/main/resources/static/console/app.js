// The console's entry: finds out who the caller is, then shows the page the location's hash names
// (#/projects/rides/tables/driver_stats), so every page has a link and no server routes are needed.

import { registry, whenUnauthenticated } from './api.js';
import { h, notice, replace } from './dom.js';
import { readsAnything, session } from './session.js';
import { loginPage } from './pages/login.js';
import { projectsPage } from './pages/projects.js';
import { entitiesPage, tablesPage } from './pages/project.js';
import { tablePage } from './pages/table.js';
import { jobPage, jobsPage } from './pages/jobs.js';
import { tryItPage } from './pages/tryit.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const user = document.getElementById('user');

/** Path patterns of the hash; a page gets the context and the decoded groups. */
const routes = [
  [/^\/projects$/, projectsPage, 'projects'],
  [/^\/projects\/([^/]+)\/entities$/, entitiesPage, 'projects'],
  [/^\/projects\/([^/]+)\/tables$/, tablesPage, 'projects'],
  [/^\/projects\/([^/]+)\/tables\/([^/]+)$/, tablePage, 'projects'],
  [/^\/jobs$/, jobsPage, 'jobs'],
  [/^\/jobs\/([^/]+)$/, jobPage, 'jobs'],
  [/^\/try$/, tryItPage, 'try'],
];

/** Aborted when the user leaves the page: its pending calls and refresh timers stop. */
let leaving = new AbortController();

async function show() {
  leaving.abort();
  leaving = new AbortController();
  const signal = leaving.signal;
  const [path, query = ''] = (location.hash.slice(1) || '/projects').split('?');
  if (path === '/' || path === '/projects/') return go('#/projects');
  const project = path.match(/^\/projects\/([^/]+)$/);
  if (project) return go(`#/projects/${project[1]}/tables`);

  const context = { signal, params: new URLSearchParams(query), go, refresh: show };
  if (!session.me) {
    return render(signal, 'login', () => loginPage(context, signIn));
  }
  for (const [pattern, page, sectionName] of routes) {
    const match = path.match(pattern);
    if (match) {
      const args = match.slice(1).map(decodeURIComponent);
      return render(signal, sectionName, () => page(context, ...args));
    }
  }
  render(signal, '', () => notice('warn', `No page at ${path}. `, h('a', { href: '#/projects' }, 'Projects')));
}

async function render(signal, sectionName, build) {
  for (const item of nav.querySelectorAll('a')) {
    item.classList.toggle('active', item.dataset.section === sectionName);
  }
  replace(view, h('p', { class: 'muted loading' }, 'Loading…'));
  let content;
  try {
    content = await build();
  } catch (error) {
    if (error.name === 'AbortError' || signal.aborted) return;
    content = notice('error', error.message);
  }
  if (!signal.aborted) replace(view, content);
}

function go(hash) {
  if (location.hash === hash) show();
  else location.hash = hash;
}

/** Shows who is signed in and what they hold; hides the sections they may not use. */
function showUser() {
  const me = session.me;
  nav.hidden = !me;
  nav.querySelector('[data-section="try"]').hidden = !me || !readsAnything();
  if (!me) return replace(user);
  if (!me.authentication) {
    return replace(user, h('span', { class: 'muted', title: 'Every caller may do everything' }, 'authentication off'));
  }
  const roles = Object.entries(me.roles).map(([project, role]) => `${role}:${project}`);
  replace(
    user,
    h('span', { class: 'subject', title: roles.join(', ') || 'no roles' }, me.subject),
    h('span', { class: 'roles' }, roles.length ? roles.join(' · ') : 'no roles'),
    h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'),
  );
}

/** Checks a pasted token with the registry; keeps it only if the registry takes it. */
async function signIn(token) {
  session.token = token;
  try {
    session.me = await registry.me();
  } catch (error) {
    session.token = null;
    throw error;
  }
  showUser();
  show();
}

function signOut() {
  session.token = null;
  session.me = null;
  showUser();
  go('#/projects');
}

whenUnauthenticated((error) => {
  // Signing in or starting: the caller of registry.me() handles the refusal.
  if (!session.me) return;
  // The token expired mid-session: back to the sign-in form, saying why.
  session.token = null;
  session.me = null;
  session.reason = error.message;
  showUser();
  show();
});

async function start() {
  window.addEventListener('hashchange', show);
  try {
    session.me = await registry.me();
  } catch (error) {
    if (error.status !== 401) {
      showUser();
      replace(view, notice('error', `The registry did not answer: ${error.message}`));
      return;
    }
    session.reason = session.token ? error.message : null;
    session.token = null;
  }
  showUser();
  show();
}

start();
