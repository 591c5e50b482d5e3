// One feature table: its definition, its stream job, and its revisions with a diff between any two.

import { jobs, registry } from '../api.js';
import { diffLines, foldUnchanged } from '../diff.js';
import { breadcrumbs, dataTable, empty, facts, h, link, notice, replace, section, seg, when } from '../dom.js';
import { count, duration, jobActive, jobStatus, time } from '../format.js';
import { may } from '../session.js';
import { statusBadge } from './jobs.js';

export async function tablePage(context, project, name) {
  const { signal } = context;
  const [{ table }, { revisions = [] }] = await Promise.all([
    registry.table(project, name, { signal }),
    registry.revisions(project, name, { signal }),
  ]);
  const { spec, meta = {} } = table;
  const streamJob = h('div', { id: 'stream-job' }, h('p', { class: 'muted' }, 'Loading…'));
  if (spec.streamSource) {
    watchStreamJob(streamJob, project, name, signal);
  } else {
    replace(streamJob, empty('This table has no stream source, so no stream job ingests it.'));
  }

  return h(
    'div',
    { class: 'page', 'data-page': 'table' },
    breadcrumbs(
      ['Projects', '#/projects'],
      [project, `#/projects/${seg(project)}/tables`],
      ['Feature tables', `#/projects/${seg(project)}/tables`],
      [name],
    ),
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, name),
      h('span', { class: 'muted' }, `revision ${meta.revision ?? 1}`),
      may('reader', project)
        ? h('a', { class: 'button', href: `#/try?project=${seg(project)}&table=${seg(name)}` }, 'Try it')
        : null,
    ),
    section('Definition', null, definition(spec, meta)),
    section('Stream job', link(`#/jobs?project=${seg(project)}&table=${seg(name)}`, 'all jobs of this table'), streamJob),
    section('Revisions', null, revisionHistory(revisions)),
  );
}

function definition(spec, meta) {
  return [
    facts([
      ['Entities', (spec.entities ?? []).join(', ')],
      ['Max age', duration(spec.maxAge) || 'no limit'],
      ['Batch source', source(spec.batchSource)],
      ['Stream source', source(spec.streamSource)],
      ['Labels', Object.entries(spec.labels ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ')],
      ['Created', time(meta.createdTimestamp)],
      ['Updated', time(meta.lastUpdatedTimestamp)],
      ['Spec hash', meta.hash ? h('code', { title: meta.hash }, meta.hash.slice(0, 16)) : ''],
    ]),
    dataTable(
      ['Feature', 'Value type', 'Labels'],
      (spec.features ?? []).map((feature) => [
        h('strong', {}, feature.name),
        h('code', {}, feature.valueType ?? ''),
        Object.entries(feature.labels ?? {}).map(([k, v]) => `${k}: ${v}`).join(', '),
      ]),
      { id: 'features' },
    ),
  ];
}

/** One line saying where a source reads from. */
function source(dataSource) {
  if (!dataSource) return '';
  const { fileOptions, bigqueryOptions, kafkaOptions, kinesisOptions } = dataSource;
  const where = fileOptions
    ? `file ${fileOptions.fileUrl ?? ''}`
    : bigqueryOptions
      ? `BigQuery ${bigqueryOptions.tableRef ?? ''}`
      : kafkaOptions
        ? `Kafka topic ${kafkaOptions.topic ?? ''} at ${kafkaOptions.bootstrapServers ?? ''}`
        : kinesisOptions
          ? `Kinesis stream ${kinesisOptions.streamName ?? ''} (${kinesisOptions.region ?? ''})`
          : dataSource.type ?? '';
  const column = dataSource.eventTimestampColumn;
  return column ? `${where}; event time ${column}` : where;
}

/** The table's current stream job, refreshed every few seconds while the page is open. */
function watchStreamJob(into, project, table, signal) {
  let shown = null;
  const load = async () => {
    try {
      const { jobs: found = [] } = await jobs.list(
        { project, table, type: 'STREAM_INGESTION_JOB', includeTerminated: true, limit: 5 },
        { signal },
      );
      const seen = JSON.stringify(found);
      if (signal.aborted || seen === shown) return;
      shown = seen;
      replace(into, streamJobView(found));
    } catch (error) {
      if (signal.aborted || error.name === 'AbortError') return;
      shown = null;
      replace(into, notice('warn', error.message));
    }
  };
  load();
  const timer = setInterval(() => document.hidden || load(), 5000);
  signal.addEventListener('abort', () => clearInterval(timer));
}

function streamJobView(found) {
  const current = found.find((details) => jobActive(details.job.status)) ?? found[0];
  if (!current) {
    return empty('No stream job yet: the job service starts one shortly after the table is applied.');
  }
  const { job, progress = {} } = current;
  return [
    jobActive(job.status)
      ? null
      : notice('info', 'No stream job is running for this table; the last one:'),
    facts([
      ['Job', link(`#/jobs/${seg(job.id)}`, h('code', {}, job.id))],
      ['Status', statusBadge(job.status)],
      ['Started', time(job.startTime || current.createdTime)],
      ['Attempts', current.attempts ? String(current.attempts) : ''],
      ['Rows read', count(progress.rowsRead)],
      ['Rows written', count(progress.rowsWritten)],
      ['Ready', progress.ready ? 'ingesting what arrives' : jobStatus(job.status) === 'running' ? 'starting' : ''],
      ['Error', current.error ?? ''],
    ]),
  ];
}

/** The revisions, newest first, with two choices (from, to) and the diff of their specs. */
function revisionHistory(revisions) {
  if (revisions.length === 0) return empty('No revisions recorded.');
  const sorted = [...revisions].sort((a, b) => Number(b.meta?.revision ?? 0) - Number(a.meta?.revision ?? 0));
  const summary = ({ spec, meta = {} }) => [
    h('strong', {}, String(meta.revision ?? 0)),
    when(meta.lastUpdatedTimestamp ?? meta.createdTimestamp),
    String((spec.features ?? []).length),
    meta.hash ? h('code', { title: meta.hash }, meta.hash.slice(0, 12)) : '',
  ];
  const head = ['Revision', 'Applied', 'Features', 'Spec hash'];
  if (sorted.length === 1) {
    return [dataTable(head, sorted.map(summary), { id: 'revisions' }), empty('Only one revision so far: nothing to compare.')];
  }
  const byRevision = new Map(sorted.map((revision) => [String(revision.meta?.revision ?? 0), revision]));
  let from = String(sorted[Math.min(1, sorted.length - 1)].meta?.revision ?? 0);
  let to = String(sorted[0].meta?.revision ?? 0);
  const output = h('div', { class: 'diff-output' });

  const update = () => {
    replace(output, diffView(byRevision.get(from), byRevision.get(to)));
  };
  const radio = (group, revision) =>
    h('input', {
      type: 'radio',
      name: group,
      value: revision,
      checked: (group === 'from' ? from : to) === revision,
      'aria-label': `${group} revision ${revision}`,
      onchange: () => {
        if (group === 'from') from = revision;
        else to = revision;
        update();
      },
    });

  update();
  return [
    dataTable(
      ['From', 'To', ...head],
      sorted.map((revision) => {
        const number = String(revision.meta?.revision ?? 0);
        return [radio('from', number), radio('to', number), ...summary(revision)];
      }),
      { id: 'revisions' },
    ),
    output,
  ];
}

function diffView(from, to) {
  const [a, b] = [from, to].map((revision) => String(revision.meta?.revision ?? 0));
  if (a === b) {
    return h('p', { class: 'muted' }, `Choose two different revisions to compare (both are ${a}).`);
  }
  const lines = diffLines(JSON.stringify(from.spec, null, 2), JSON.stringify(to.spec, null, 2));
  const added = lines.filter((line) => line.op === '+').length;
  const removed = lines.filter((line) => line.op === '-').length;
  const rows = foldUnchanged(lines).map((line) => (line.fold ? foldRow(line) : lineRow(line)));
  return [
    h(
      'p',
      { class: 'diff-summary' },
      `Spec of revision ${a} → revision ${b}: `,
      h('span', { class: 'added' }, `+${added}`),
      ' ',
      h('span', { class: 'removed' }, `−${removed}`),
      added + removed === 0 ? ' (identical specs)' : ' lines',
    ),
    h('div', { class: 'diff', id: 'diff', role: 'table', 'aria-label': `Diff of revision ${a} and ${b}` }, rows),
  ];
}

const KIND = { '+': 'add', '-': 'del', ' ': 'same' };

function lineRow(line) {
  return h(
    'div',
    { class: `line ${KIND[line.op]}`, role: 'row' },
    h('span', { class: 'ln' }, line.old ?? ''),
    h('span', { class: 'ln' }, line.new ?? ''),
    h('span', { class: 'sign' }, line.op),
    h('code', {}, line.text),
  );
}

/** Unchanged lines folded away; a click unfolds them. */
function foldRow(fold) {
  const row = h(
    'button',
    {
      type: 'button',
      class: 'line fold',
      onclick: () => row.replaceWith(...fold.lines.map(lineRow)),
    },
    `⋯ ${fold.fold} unchanged line${fold.fold === 1 ? '' : 's'}`,
  );
  return row;
}
