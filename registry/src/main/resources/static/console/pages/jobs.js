// Jobs of the job service (through the registry's proxy): the list, and one job with its progress,
// status history and log. Both refresh themselves while the page is open.

import { jobs, registry } from '../api.js';
import { breadcrumbs, dataTable, empty, facts, h, link, notice, replace, section, seg, when } from '../dom.js';
import { count, jobActive, jobStatus, jobType, time } from '../format.js';
import { may } from '../session.js';

/** The status as a coloured badge. */
export function statusBadge(status) {
  const name = jobStatus(status);
  return h('span', { class: `badge ${name}` }, name);
}

/** "1,200 read · 1,180 written", or the retrieval's output rows. */
function progressText(details) {
  const progress = details.progress ?? {};
  if (details.job?.type === 'RETRIEVAL_JOB') {
    return progress.rowsOutput ? `${count(progress.rowsOutput)} rows out` : '';
  }
  if (!progress.rowsRead && !progress.rowsWritten) return '';
  return `${count(progress.rowsRead)} read · ${count(progress.rowsWritten)} written`;
}

/** A cancel button for an active job, shown only to writers of its project. */
function cancelButton(details, onDone) {
  if (!jobActive(details.job.status) || !may('writer', details.project)) return null;
  const button = h('button', { type: 'button', class: 'danger cancel', 'data-job': details.job.id }, 'Cancel');
  button.addEventListener('click', async () => {
    if (!confirm(`Cancel job ${details.job.id}?`)) return;
    button.disabled = true;
    try {
      await jobs.cancel(details.job.id);
    } catch (error) {
      alert(`The job service refused: ${error.message}`);
    }
    onDone();
  });
  return button;
}

function every(milliseconds, load, signal) {
  const timer = setInterval(() => document.hidden || load(), milliseconds);
  signal.addEventListener('abort', () => clearInterval(timer));
}

export async function jobsPage({ signal, params, go }) {
  const filter = {
    project: params.get('project') ?? '',
    table: params.get('table') ?? '',
    type: params.get('type') ?? '',
    includeTerminated: params.get('active') !== '1',
    limit: 200,
  };
  const { projects = [] } = await registry.projects({ signal });

  const apply = (change) => {
    const next = { ...filter, ...change };
    const query = new URLSearchParams();
    if (next.project) query.set('project', next.project);
    if (next.table) query.set('table', next.table);
    if (next.type) query.set('type', next.type);
    if (!next.includeTerminated) query.set('active', '1');
    go(`#/jobs${query.size ? `?${query}` : ''}`);
  };
  const options = (values, current) =>
    values.map(([value, label]) => h('option', { value, selected: value === current }, label));
  const filters = h(
    'form',
    { class: 'filters', onsubmit: (event) => event.preventDefault() },
    h(
      'label',
      {},
      'Project ',
      h(
        'select',
        { id: 'filter-project', onchange: (event) => apply({ project: event.target.value, table: '' }) },
        options([['', 'all'], ...projects.map((p) => [p, p])], filter.project),
      ),
    ),
    filter.table
      ? h('span', { class: 'chip' }, `table ${filter.table} `, h('button', { type: 'button', class: 'link', onclick: () => apply({ table: '' }) }, '×'))
      : null,
    h(
      'label',
      {},
      'Type ',
      h(
        'select',
        { onchange: (event) => apply({ type: event.target.value }) },
        options(
          [
            ['', 'all'],
            ['BATCH_INGESTION_JOB', 'batch ingestion'],
            ['STREAM_INGESTION_JOB', 'stream ingestion'],
            ['RETRIEVAL_JOB', 'historical retrieval'],
          ],
          filter.type,
        ),
      ),
    ),
    h(
      'label',
      {},
      h('input', {
        type: 'checkbox',
        checked: !filter.includeTerminated,
        onchange: (event) => apply({ includeTerminated: !event.target.checked }),
      }),
      ' running and pending only',
    ),
  );

  const list = h('div', { id: 'jobs' });
  let shown = null;
  const load = async () => {
    try {
      const { jobs: found = [] } = await jobs.list(filter, { signal });
      // Re-render only what changed, so a refresh does not move what the user is about to click.
      const seen = JSON.stringify(found);
      if (signal.aborted || seen === shown) return;
      shown = seen;
      replace(
        list,
        found.length
          ? dataTable(
              ['Job', 'Type', 'Status', 'Project', 'Tables', 'Progress', 'Created', ''],
              found.map((details) => [
                link(`#/jobs/${seg(details.job.id)}`, h('code', {}, details.job.id)),
                jobType(details.job.type, details.kind),
                statusBadge(details.job.status),
                details.project ? link(`#/projects/${seg(details.project)}/tables`, details.project) : '',
                (details.tables ?? []).map((table, i) => [
                  i > 0 ? ', ' : null,
                  link(`#/projects/${seg(details.project)}/tables/${seg(table)}`, table),
                ]),
                h('span', { class: 'nowrap' }, progressText(details)),
                when(details.createdTime),
                cancelButton(details, () => {
                  shown = null;
                  load();
                }),
              ]),
            )
          : empty(filter.includeTerminated ? 'No jobs.' : 'No running or pending jobs.'),
      );
    } catch (error) {
      if (signal.aborted || error.name === 'AbortError') return;
      shown = null;
      replace(list, notice('warn', error.message));
    }
  };
  await load();
  every(5000, load, signal);
  return h('div', { class: 'page', 'data-page': 'jobs' }, h('h1', {}, 'Jobs'), filters, list);
}

export async function jobPage({ signal }, id) {
  const page = h('div', { class: 'page', 'data-page': 'job' });
  const log = h('pre', { class: 'log', id: 'log', tabindex: 0 });
  const body = h('div', {});
  let active = true;
  // The log shows its end, where a job's outcome is, and follows it unless the reader scrolls up.
  let following = true;
  log.addEventListener('scroll', () => {
    following = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  });
  const toEnd = () => {
    if (following) log.scrollTop = log.scrollHeight;
  };

  const loadLog = async () => {
    try {
      const text = await jobs.log(id, { signal });
      if (signal.aborted) return;
      log.textContent = text || '(the log is empty so far)';
      toEnd();
      // The first time, the page is not on screen yet: scroll once it is.
      requestAnimationFrame(toEnd);
    } catch (error) {
      if (!signal.aborted && error.name !== 'AbortError') log.textContent = `The log cannot be read: ${error.message}`;
    }
  };
  const load = async () => {
    const details = await jobs.details(id, { signal });
    if (signal.aborted) return;
    active = jobActive(details.job.status);
    replace(body, jobView(details, load));
  };

  await load();
  await loadLog();
  every(3000, () => active && Promise.all([load().catch(() => {}), loadLog()]), signal);
  return replace(
    page,
    breadcrumbs(['Jobs', '#/jobs'], [id]),
    body,
    section('Log', h('button', { type: 'button', onclick: loadLog }, 'Refresh'), log),
  );
}

function jobView(details, reload) {
  const { job, progress = {} } = details;
  const pairs = (list) => list.filter(([, value]) => value !== undefined && value !== null && value !== '' && value !== '0');
  return [
    h(
      'div',
      { class: 'title-row' },
      h('h1', {}, 'Job ', h('code', {}, job.id)),
      statusBadge(job.status),
      cancelButton(details, reload),
    ),
    details.error ? notice('error', details.error) : null,
    facts([
      ['Type', jobType(job.type, details.kind)],
      ['Project', details.project ? link(`#/projects/${seg(details.project)}/tables`, details.project) : ''],
      [
        'Tables',
        (details.tables ?? []).map((table, i) => [
          i > 0 ? ', ' : null,
          link(`#/projects/${seg(details.project)}/tables/${seg(table)}`, table),
        ]),
      ],
      ['Created', time(details.createdTime)],
      ['Started', time(job.startTime)],
      ['Ended', time(details.endTime)],
      ['Batch window', details.windowStart ? `${time(details.windowStart)} – ${time(details.windowEnd)}` : ''],
      ['Scheduled', details.scheduled ? 'yes, by the table\u2019s schedule' : ''],
      ['Attempts', details.attempts ? String(details.attempts) : ''],
      ['Spark', [details.sparkMaster, details.applicationId].filter(Boolean).join(' · ')],
      ['Process', details.pid ? `${details.pid} on ${details.host ?? ''}` : ''],
      ['Output', job.retrieval?.outputLocation ?? ''],
    ]),
    section(
      'Progress',
      null,
      Object.keys(progress).length
        ? facts(
            pairs([
              ['Phase', progress.phase ?? ''],
              ['Rows read', progress.rowsRead && count(progress.rowsRead)],
              ['Rows written', progress.rowsWritten && count(progress.rowsWritten)],
              ['Not newer than stored', progress.rowsNotNewer && count(progress.rowsNotNewer)],
              ['Skipped: no entity key', progress.rowsSkippedNullEntity && count(progress.rowsSkippedNullEntity)],
              ['Skipped: wrong type', progress.rowsSkippedWrongType && count(progress.rowsSkippedWrongType)],
              ['Skipped: no event time', progress.rowsSkippedNullTimestamp && count(progress.rowsSkippedNullTimestamp)],
              ['Malformed messages', progress.messagesMalformed && count(progress.messagesMalformed)],
              ['Rows out', progress.rowsOutput && count(progress.rowsOutput)],
              ['Rows removed (old layout)', progress.rowsRemoved && count(progress.rowsRemoved)],
              ['Seconds', progress.seconds && progress.seconds.toFixed(1)],
              ['Result', progress.status ?? ''],
              ['Dead letters', progress.deadLetterPath ?? ''],
            ]),
          )
        : empty('No progress reported yet.'),
    ),
    section(
      'Status history',
      null,
      dataTable(
        ['Status', 'At', 'Reason'],
        (details.history ?? []).map((change) => [statusBadge(change.status), when(change.at), change.reason ?? '']),
        { id: 'history' },
      ),
    ),
  ];
}
