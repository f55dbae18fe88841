import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { hasBearerToken } from './auth.js';
import { sendError } from './respond.js';

export interface RequestInfo {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  /** True when the request carried the API token, or no token is configured. */
  authorized: boolean;
}

export type Handler = (request: RequestInfo) => void | Promise<void>;

interface Route {
  method: 'GET' | 'POST';
  segments: string[];
  handler: Handler;
  requiresToken: boolean;
}

/** Method plus path with `{param}` segments; HEAD is answered like GET (node drops the body). */
export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly token: string | undefined) {}

  get(pattern: string, handler: Handler, options: { requiresToken?: boolean } = {}): this {
    return this.add('GET', pattern, handler, options.requiresToken ?? false);
  }

  post(pattern: string, handler: Handler, options: { requiresToken?: boolean } = {}): this {
    return this.add('POST', pattern, handler, options.requiresToken ?? false);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const segments = splitPath(path);
    if (segments === undefined) return sendError(res, 400, 'bad_request', 'the path is not valid percent-encoding');
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const matching = this.routes.map((route) => ({ route, params: match(route.segments, segments) })).filter((m) => m.params !== undefined);
    if (matching.length === 0) return sendError(res, 404, 'not_found', `no endpoint at ${path}`);
    const found = matching.find((m) => m.route.method === method);
    if (!found) {
      const allow = [...new Set(matching.map((m) => m.route.method))].join(', ');
      return sendError(res, 405, 'method_not_allowed', `${req.method ?? ''} is not allowed here; use ${allow}`, {}, { allow });
    }
    // Without a token, a browser on any web page could make a POST here (a form needs no CORS):
    // requests that carry a browser's Origin must be same-origin and address hel by IP or localhost
    // (a DNS-rebound name is neither). curl, scripts and monitoring send no Origin.
    if (this.token === undefined && found.route.method === 'POST' && isCrossOrigin(req)) {
      return sendError(
        res,
        403,
        'cross_origin',
        'a browser request from another origin (or through a DNS name other than localhost) may not trigger this without an API token; set global.api.token_env',
      );
    }
    const authorized = this.token === undefined || hasBearerToken(req, this.token);
    if (found.route.requiresToken && !authorized) {
      return sendError(res, 401, 'unauthorized', 'missing or wrong API token: send Authorization: Bearer <token>', {}, { 'www-authenticate': 'Bearer realm="hel"' });
    }
    await found.route.handler({ req, res, params: found.params!, authorized });
  }

  private add(method: Route['method'], pattern: string, handler: Handler, requiresToken: boolean): this {
    this.routes.push({ method, segments: splitPath(pattern)!, handler, requiresToken });
    return this;
  }
}

function splitPath(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function match(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i]!;
    if (part.startsWith('{') && part.endsWith('}')) params[part.slice(1, -1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

/** A browser request (Origin or Sec-Fetch-Site present) that is cross-site, or that reaches hel through a DNS name. */
function isCrossOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  const host = req.headers.host ?? '';
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true;
  }
  if (originHost.toLowerCase() !== host.toLowerCase()) return true;
  const name = host
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  return !(name === 'localhost' || isIP(name) !== 0);
}
