// The console's calls: the registry's own API, and the job service's and the gateway's through the
// registry's proxy (one origin for the browser). Paths are relative to /console/, so the console
// also works behind a proxy that adds a path prefix.

import { session } from './session.js';

/** A failed call: HTTP status (0: no answer), the gRPC code and the service's message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthenticated = () => {};

/** Called with the ApiError whenever a call answers 401 (no token, or it expired). */
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

async function call(method, path, { body, signal, asText = false } = {}) {
  const headers = { Accept: asText ? 'text/plain' : 'application/json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'UNAVAILABLE', `the registry cannot be reached (${error.message})`);
  }
  if (!response.ok) {
    let code = '';
    let detail = `${response.status} ${response.statusText}`;
    try {
      const problem = await response.json();
      code = problem.code ?? '';
      detail = problem.detail ?? detail;
    } catch {
      // Not problem JSON: keep the status line.
    }
    const error = new ApiError(response.status, code, detail);
    if (response.status === 401) onUnauthenticated(error);
    throw error;
  }
  return asText ? response.text() : response.json();
}

const q = (params) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};
const e = encodeURIComponent;

export const registry = {
  me: (options) => call('GET', '../api/v1/me', options),
  projects: (options) => call('GET', '../api/v1/projects', options),
  entities: (project, options) => call('GET', `../api/v1/projects/${e(project)}/entities`, options),
  tables: (project, options) =>
    call('GET', `../api/v1/projects/${e(project)}/feature-tables`, options),
  table: (project, name, options) =>
    call('GET', `../api/v1/projects/${e(project)}/feature-tables/${e(name)}`, options),
  revisions: (project, name, options) =>
    call('GET', `../api/v1/projects/${e(project)}/feature-tables/${e(name)}/revisions`, options),
};

export const jobs = {
  /** filter: project, table, type, includeTerminated, limit. */
  list: (filter, options) => call('GET', `api/orchestrator/job-details${q(filter)}`, options),
  details: (id, options) => call('GET', `api/orchestrator/jobs/${e(id)}/details`, options),
  log: (id, options) => call('GET', `api/orchestrator/jobs/${e(id)}/log`, { ...options, asText: true }),
  cancel: (id, options) => call('POST', `api/orchestrator/jobs/${e(id)}/cancel`, { ...options, body: {} }),
};

export const gateway = {
  onlineFeatures: (request, options) =>
    call('POST', 'api/gateway/features/online', { ...options, body: request }),
};
