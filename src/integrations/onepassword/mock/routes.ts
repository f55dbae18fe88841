import type { ApiVersion, Stream } from './shapes.js';

export type Route = { kind: 'introspect'; version: ApiVersion; method: 'GET' } | { kind: 'events'; version: ApiVersion; stream: Stream; method: 'POST' } | { kind: 'v3-auditevents'; method: 'GET' };

/** The paths of reference §5. There is no /api/v1/auth/introspect: v1 introspect lives at /api/auth/introspect. */
export function matchRoute(pathname: string): Route | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/api/auth/introspect') return { kind: 'introspect', version: 'v1', method: 'GET' };
  if (path === '/api/v2/auth/introspect') return { kind: 'introspect', version: 'v2', method: 'GET' };
  if (path === '/api/v3/auditevents') return { kind: 'v3-auditevents', method: 'GET' };
  const m = /^\/api\/(v1|v2)\/(auditevents|signinattempts|itemusages)$/.exec(path);
  if (m) return { kind: 'events', version: m[1] as ApiVersion, stream: m[2] as Stream, method: 'POST' };
  return undefined;
}
