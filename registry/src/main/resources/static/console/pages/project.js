// One project: its feature tables and its entities, on two tabs.

import { registry } from '../api.js';
import { breadcrumbs, dataTable, empty, h, link, seg, when } from '../dom.js';

function header(project, current) {
  const tab = (name, label, href) =>
    h('a', { href, class: name === current ? 'tab active' : 'tab' }, label);
  return [
    breadcrumbs(['Projects', '#/projects'], [project, `#/projects/${seg(project)}/tables`]),
    h('h1', {}, project),
    h(
      'nav',
      { class: 'tabs' },
      tab('tables', 'Feature tables', `#/projects/${seg(project)}/tables`),
      tab('entities', 'Entities', `#/projects/${seg(project)}/entities`),
      tab('jobs', 'Jobs', `#/jobs?project=${seg(project)}`),
    ),
  ];
}

function labels(map) {
  const entries = Object.entries(map ?? {});
  return entries.length
    ? h('span', { class: 'labels' }, entries.map(([key, value]) => h('span', { class: 'label' }, `${key}: ${value}`)))
    : '';
}

export async function entitiesPage({ signal }, project) {
  const { entities = [] } = await registry.entities(project, { signal });
  return h(
    'div',
    { class: 'page', 'data-page': 'entities' },
    header(project, 'entities'),
    entities.length
      ? dataTable(
          ['Entity', 'Value type', 'Description', 'Labels', 'Updated'],
          entities.map(({ spec, meta }) => [
            h('strong', {}, spec.name),
            h('code', {}, spec.valueType ?? ''),
            spec.description ?? '',
            labels(spec.labels),
            when(meta?.lastUpdatedTimestamp ?? meta?.createdTimestamp),
          ]),
          { id: 'entities' },
        )
      : empty('No entities in this project.'),
  );
}

export async function tablesPage({ signal }, project) {
  const { tables = [] } = await registry.tables(project, { signal });
  return h(
    'div',
    { class: 'page', 'data-page': 'tables' },
    header(project, 'tables'),
    tables.length
      ? dataTable(
          ['Feature table', 'Entities', 'Features', 'Sources', 'Revision', 'Updated'],
          tables.map(({ spec, meta }) => [
            link(`#/projects/${seg(project)}/tables/${seg(spec.name)}`, h('strong', {}, spec.name)),
            (spec.entities ?? []).join(', '),
            h('span', { title: (spec.features ?? []).map((f) => f.name).join(', ') }, featureSummary(spec.features)),
            [spec.batchSource ? 'batch' : null, spec.streamSource ? 'stream' : null].filter(Boolean).join(' + '),
            meta?.revision ?? '',
            when(meta?.lastUpdatedTimestamp ?? meta?.createdTimestamp),
          ]),
          { id: 'tables' },
        )
      : empty('No feature tables in this project.'),
  );
}

function featureSummary(features = []) {
  const names = features.map((f) => f.name);
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}
