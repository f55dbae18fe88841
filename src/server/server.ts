import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GlobalConfig } from '../config/schema.js';
import { HelError } from '../errors.js';
import { describeError, errorLogFields } from '../errors/format.js';
import type { Logger } from '../log/logger.js';
import { handlers, type HandlerDeps } from './handlers.js';
import { sendError } from './respond.js';
import { Router } from './router.js';

export interface ServersOptions extends HandlerDeps {
  api: GlobalConfig['api'];
  metricsListener: GlobalConfig['metrics'];
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface RunningServers {
  /** Bound `host:port` of each listener, e.g. for tests that asked for port 0. */
  urls: string[];
  close(): Promise<void>;
}

/**
 * Starts the API listener (status page, probes, metrics, /api/v1) when `global.api.enabled`, and a
 * metrics-only listener when `global.metrics.enabled` on another address or port. Probes and
 * /metrics never need the token: kubelets and Prometheus scrape them without credentials.
 */
export async function startServers(options: ServersOptions): Promise<RunningServers> {
  const { api, metricsListener, logger } = options;
  const h = handlers(options);
  const listeners: { router: Router; address: string; port: number; what: string }[] = [];

  if (api.enabled) {
    const token = apiToken(api.token_env, options.env ?? process.env);
    if (token === undefined && !isLoopback(api.address)) {
      logger.warn({ address: api.address }, `the API listens on ${api.address} without a token: anyone who can reach it can trigger polls; set global.api.token_env`);
    }
    const guarded = { requiresToken: true };
    const router = new Router(token)
      .get('/', h.statusPage)
      .get('/healthz', h.healthz)
      .get('/readyz', h.readyz)
      .get('/startupz', h.startupz)
      .get('/metrics', h.metrics)
      .get('/api/v1/sources', h.listSources, guarded)
      .get('/api/v1/sources/{name}', h.oneSource, guarded)
      .get('/api/v1/sources/{name}/state', h.sourceState, guarded)
      .post('/api/v1/sources/{name}/poll', h.pollSource, guarded)
      .post('/api/v1/reload', h.reload, guarded);
    listeners.push({ router, address: api.address, port: api.port, what: 'api' });
  }
  const sharesApiListener = api.enabled && metricsListener.address === api.address && metricsListener.port === api.port && api.port !== 0;
  if (metricsListener.enabled && !sharesApiListener) {
    listeners.push({ router: new Router(undefined).get('/metrics', h.metrics), address: metricsListener.address, port: metricsListener.port, what: 'metrics' });
  }

  const servers: Server[] = [];
  const urls: string[] = [];
  try {
    for (const listener of listeners) {
      const server = createServer((req, res) => {
        listener.router.handle(req, res).catch((err: unknown) => {
          logger.error({ ...errorLogFields(err), path: req.url }, `API request failed: ${describeError(err)}`);
          if (!res.headersSent) sendError(res, 500, 'internal', 'internal error; see the hel log');
          else res.destroy();
        });
      });
      await listen(server, listener.address, listener.port, listener.what);
      servers.push(server);
      const bound = server.address() as AddressInfo;
      const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      urls.push(`http://${host}:${bound.port}`);
      logger.info({ address: bound.address, port: bound.port, listener: listener.what }, `${listener.what} listening on http://${host}:${bound.port}`);
    }
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    throw err;
  }
  return { urls, close: () => Promise.all(servers.map(closeServer)).then(() => undefined) };
}

/** A configured token variable that is unset fails the start: running open by accident is worse than not running. */
function apiToken(envName: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (envName === undefined) return undefined;
  const token = env[envName];
  if (token === undefined || token.trim() === '') {
    throw new HelError('HEL_CONFIG', `global.api.token_env names ${envName}, but that environment variable is empty or not set`, {
      hint: `export ${envName}=<a long random string>, or remove token_env to run the API without a token`,
    });
  }
  return token.trim();
}

function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || address.startsWith('127.');
}

function listen(server: Server, address: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? `another process uses port ${port}; pick another global.${what}.port` : `check global.${what}.address`;
      reject(new HelError('HEL_CONFIG', `cannot listen on ${address}:${port} for the ${what} server (${err.code ?? err.message})`, { hint }));
    });
    server.listen(port, address, () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
