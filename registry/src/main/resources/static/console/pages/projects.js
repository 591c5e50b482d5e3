// Projects the caller may read, with how many entities and feature tables each holds.

import { registry } from '../api.js';
import { dataTable, empty, h, link, seg } from '../dom.js';
import { roleIn, session } from '../session.js';

export async function projectsPage({ signal }) {
  const { projects = [] } = await registry.projects({ signal });
  // A few projects at most in practice; their counts load in parallel.
  const counts = await Promise.all(
    projects.map((project) =>
      Promise.all([
        registry.entities(project, { signal }).then((r) => (r.entities ?? []).length, () => '–'),
        registry.tables(project, { signal }).then((r) => (r.tables ?? []).length, () => '–'),
      ]),
    ),
  );
  const head = ['Project', 'Feature tables', 'Entities', 'Jobs'];
  if (session.me?.authentication) head.push('Your role');
  const rows = projects.map((project, i) => {
    const [entities, tables] = counts[i];
    const row = [
      link(`#/projects/${seg(project)}/tables`, h('strong', {}, project)),
      link(`#/projects/${seg(project)}/tables`, String(tables)),
      link(`#/projects/${seg(project)}/entities`, String(entities)),
      link(`#/jobs?project=${seg(project)}`, 'jobs'),
    ];
    if (session.me?.authentication) row.push(roleIn(project) ?? '');
    return row;
  });
  return h(
    'div',
    { class: 'page', 'data-page': 'projects' },
    h('h1', {}, 'Projects'),
    projects.length
      ? dataTable(head, rows, { id: 'projects' })
      : empty(
          session.me?.authentication
            ? 'No project you hold a role in. Applying an entity or a feature table creates one.'
            : 'No projects yet. Applying an entity or a feature table creates one.',
        ),
  );
}
