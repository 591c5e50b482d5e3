// DOM building blocks. Pages build every element with h(), so data always lands as text, never
// as HTML.

import { time } from './format.js';

/**
 * Creates an element. Attributes: `class`, `value` and `checked` (set as properties), `on<event>`
 * functions (listeners), anything else as an attribute (true: present, null/false/undefined:
 * left out). Children: nodes, strings, numbers, arrays of them; null and false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      element.className = value;
    } else if (key === 'value' || key === 'checked') {
      element[key] = value;
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/** Replaces the element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** A hash link: `link('#/projects/rides', 'rides')`. */
export function link(href, ...children) {
  return h('a', { href }, ...children);
}

/** A timestamp as a <time> element in local time (the exact value on hover). */
export function when(timestamp) {
  return timestamp ? h('time', { datetime: timestamp, title: timestamp }, time(timestamp)) : '';
}

/** A route segment: names may hold '-' and '_' only, but job ids and values may hold anything. */
export const seg = encodeURIComponent;

/** "Projects / rides / Feature tables": pairs of [label, href]; the last is the current page. */
export function breadcrumbs(...items) {
  return h(
    'nav',
    { class: 'crumbs', 'aria-label': 'Breadcrumbs' },
    items.map(([label, href], i) => [
      i > 0 ? h('span', { class: 'sep' }, '/') : null,
      href && i < items.length - 1 ? link(href, label) : h('span', {}, label),
    ]),
  );
}

/** A table of rows; `head` is a list of column titles, each row a list of cells (nodes or text). */
export function dataTable(head, rows, attrs = {}) {
  return h(
    'table',
    { class: 'data', ...attrs },
    h('thead', {}, h('tr', {}, head.map((title) => h('th', {}, title)))),
    h('tbody', {}, rows.map((cells) => tableRow(cells))),
  );
}

export function tableRow(cells, attrs = {}) {
  return h('tr', attrs, cells.map((cell) => h('td', {}, cell)));
}

/** Label/value pairs; pairs with an empty value are left out. */
export function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs
      .filter(
        ([, value]) =>
          value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0),
      )
      .map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
  );
}

/** A box saying why something is not shown: kind is 'info', 'warn' or 'error'. */
export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null }, ...children);
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/** A section with a title and optional actions at its right. */
export function section(title, actions, ...children) {
  return h(
    'section',
    { class: 'panel' },
    h('header', {}, h('h2', {}, title), actions ? h('div', { class: 'actions' }, actions) : null),
    ...children,
  );
}
