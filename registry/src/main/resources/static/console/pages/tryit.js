// Try it: looks features up through the online gateway (via the registry's proxy), as a model
// server would, and shows each value with its status.

import { gateway, registry } from '../api.js';
import { empty, h, notice, replace } from '../dom.js';
import { value } from '../format.js';
import { may } from '../session.js';

/** How a typed-in entity key becomes a protobuf Value (JSON mapping) of the entity's type. */
const KEY_VALUES = {
  INT64: (text) => (/^-?\d+$/.test(text) ? { int64Val: text } : null),
  INT32: (text) => (/^-?\d+$/.test(text) ? { int32Val: Number(text) } : null),
  STRING: (text) => ({ stringVal: text }),
  BYTES: (text) => ({ bytesVal: btoa(text) }),
  DOUBLE: (text) => (text.trim() !== '' && !Number.isNaN(Number(text)) ? { doubleVal: Number(text) } : null),
  FLOAT: (text) => (text.trim() !== '' && !Number.isNaN(Number(text)) ? { floatVal: Number(text) } : null),
  BOOL: (text) => (/^(true|false)$/i.test(text) ? { boolVal: text.toLowerCase() === 'true' } : null),
};

const STATUS = {
  PRESENT: 'present',
  NOT_FOUND: 'not-found',
  NULL_VALUE: 'null-value',
  OUTSIDE_MAX_AGE: 'outside-max-age',
};

export async function tryItPage({ signal, params, go }) {
  const page = h('div', { class: 'page', 'data-page': 'try' }, h('h1', {}, 'Try it'));
  const { projects = [] } = await registry.projects({ signal });
  const readable = projects.filter((project) => may('reader', project));
  if (readable.length === 0) {
    page.append(notice('info', 'Looking features up needs the reader role in a project, and you hold none.'));
    return page;
  }
  const project = readable.includes(params.get('project')) ? params.get('project') : readable[0];
  const [{ tables = [] }, { entities = [] }] = await Promise.all([
    registry.tables(project, { signal }),
    registry.entities(project, { signal }),
  ]);
  const table = tables.find((t) => t.spec.name === params.get('table')) ?? tables[0];
  const select = (id, values, current, onchange) =>
    h('select', { id, onchange }, values.map((v) => h('option', { value: v, selected: v === current }, v)));
  const to = (p, t) => go(`#/try?project=${encodeURIComponent(p)}${t ? `&table=${encodeURIComponent(t)}` : ''}`);

  const chooser = h(
    'div',
    { class: 'filters' },
    h('label', {}, 'Project ', select('try-project', readable, project, (e) => to(e.target.value))),
    table
      ? h('label', {}, 'Feature table ', select('try-table', tables.map((t) => t.spec.name), table.spec.name, (e) => to(project, e.target.value)))
      : null,
  );
  page.append(
    h(
      'p',
      { class: 'muted' },
      'Reads the latest values from the online store through the gateway\u2019s ',
      h('code', {}, 'POST /api/v1/features/online'),
      ', as a model server does.',
    ),
    chooser,
  );
  if (!table) {
    page.append(empty('No feature tables in this project.'));
    return page;
  }
  page.append(lookupForm(project, table.spec, new Map(entities.map((e) => [e.spec.name, e.spec.valueType]))));
  return page;
}

function lookupForm(project, spec, keyTypes) {
  const keys = spec.entities ?? [];
  const features = (spec.features ?? []).map((feature) =>
    h(
      'label',
      { class: 'check' },
      h('input', { type: 'checkbox', name: 'feature', value: feature.name, checked: true }),
      ` ${feature.name} `,
      h('span', { class: 'muted' }, feature.valueType ?? ''),
    ),
  );
  const rows = h('tbody', {});
  const addRow = () => {
    const row = h(
      'tr',
      {},
      keys.map((key) =>
        h('td', {}, h('input', { name: key, 'data-key': key, required: true, placeholder: keyTypes.get(key) ?? '', 'aria-label': key })),
      ),
      h('td', {}, h('button', { type: 'button', class: 'link', title: 'Remove this row', onclick: () => rows.children.length > 1 && row.remove() }, '×')),
    );
    rows.append(row);
  };
  addRow();
  const result = h('div', { id: 'try-result' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Look up');

  async function onsubmit(event) {
    event.preventDefault();
    const chosen = features.map((label) => label.querySelector('input')).filter((box) => box.checked).map((box) => box.value);
    if (chosen.length === 0) return replace(result, notice('warn', 'Choose at least one feature.'));
    const entityRows = [];
    for (const row of rows.children) {
      const fields = {};
      for (const input of row.querySelectorAll('input[data-key]')) {
        const key = input.dataset.key;
        const type = keyTypes.get(key) ?? 'STRING';
        const converted = (KEY_VALUES[type] ?? KEY_VALUES.STRING)(input.value.trim());
        if (converted === null) {
          input.focus();
          return replace(result, notice('warn', `${key}: '${input.value}' is not a ${type} value.`));
        }
        fields[key] = converted;
      }
      entityRows.push({ fields });
    }
    const request = {
      project,
      features: chosen.map((name) => ({ featureTable: spec.name, name })),
      entityRows,
    };
    submit.disabled = true;
    replace(result, h('p', { class: 'muted' }, 'Looking up…'));
    try {
      const answer = await gateway.onlineFeatures(request);
      replace(result, answerView(spec.name, chosen, keys, answer, request));
    } catch (error) {
      replace(result, notice(error.status === 503 || error.status === 502 || error.status === 504 ? 'warn' : 'error', error.message));
    } finally {
      submit.disabled = false;
    }
  }

  return h(
    'form',
    { class: 'lookup', onsubmit },
    h('fieldset', {}, h('legend', {}, 'Features'), h('div', { class: 'checks' }, features)),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Entity rows'),
      h(
        'table',
        { class: 'data compact' },
        h('thead', {}, h('tr', {}, keys.map((key) => h('th', {}, key, ' ', h('span', { class: 'muted' }, keyTypes.get(key) ?? ''))), h('th', {}))),
        rows,
      ),
      h('button', { type: 'button', class: 'link', onclick: addRow }, '+ Add a row'),
    ),
    h('div', { class: 'buttons' }, submit),
    result,
  );
}

function answerView(table, chosen, keys, answer, request) {
  const rows = answer.fieldValues ?? [];
  return [
    rows.map((row) => {
      const fields = row.fields ?? {};
      const statuses = row.statuses ?? {};
      const title = keys.map((key) => `${key} = ${value(fields[key]) ?? ''}`).join(', ');
      return h(
        'div',
        { class: 'panel answer' },
        h('h3', {}, title),
        h(
          'table',
          { class: 'data' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Feature'), h('th', {}, 'Value'), h('th', {}, 'Status'))),
          h(
            'tbody',
            {},
            chosen.map((name) => {
              const ref = `${table}:${name}`;
              const shown = value(fields[ref]);
              const status = statuses[ref] ?? 'INVALID';
              return h(
                'tr',
                { 'data-feature': ref },
                h('td', {}, h('code', {}, ref)),
                h('td', { class: 'value' }, shown === null ? h('span', { class: 'muted' }, 'no value') : shown),
                h('td', {}, h('span', { class: `badge ${STATUS[status] ?? 'unknown'}` }, status)),
              );
            }),
          ),
        ),
      );
    }),
    h(
      'details',
      { class: 'raw' },
      h('summary', {}, 'Request and answer JSON'),
      h('pre', {}, JSON.stringify(request, null, 2)),
      h('pre', {}, JSON.stringify(answer, null, 2)),
    ),
  ];
}
