// How values read in the console: times, counts, statuses, protobuf JSON values.

/** RFC 3339 timestamp as local "2026-12-03 11:44:30"; '' when absent. */
export function time(timestamp) {
  if (!timestamp) return '';
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  const pad = (n) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** int64 values arrive as strings (protobuf JSON); absent means 0. */
export function count(value) {
  return Number(value ?? 0).toLocaleString('en-US');
}

/** "3600s" (google.protobuf.Duration) as "1h"; '' for none. */
export function duration(value) {
  if (!value) return '';
  let seconds = Math.round(parseFloat(value));
  if (!seconds) return '';
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    if (seconds >= size) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  return parts.join(' ');
}

const JOB_STATUS = {
  JOB_STATUS_PENDING: 'pending',
  JOB_STATUS_RUNNING: 'running',
  JOB_STATUS_DONE: 'done',
  JOB_STATUS_ERROR: 'error',
};

/** JOB_STATUS_RUNNING → running (also the badge's CSS class). */
export function jobStatus(status) {
  return JOB_STATUS[status] ?? 'unknown';
}

export function jobActive(status) {
  return status === 'JOB_STATUS_PENDING' || status === 'JOB_STATUS_RUNNING';
}

const JOB_TYPE = {
  BATCH_INGESTION_JOB: 'batch ingestion',
  STREAM_INGESTION_JOB: 'stream ingestion',
  RETRIEVAL_JOB: 'historical retrieval',
};

/** A job's type as people say it; a layout migration is Feast's batch type with its own kind. */
export function jobType(type, kind) {
  if (kind === 'layout_migration') return 'layout migration';
  return JOB_TYPE[type] ?? type ?? '';
}

/** A protobuf Value in its JSON form ({"int64Val": "7"}) as text; null when it holds nothing. */
export function value(protoValue) {
  if (!protoValue) return null;
  const [kind, held] = Object.entries(protoValue)[0] ?? [];
  if (kind === undefined) return null;
  if (held && typeof held === 'object' && Array.isArray(held.val)) return JSON.stringify(held.val);
  return String(held);
}
