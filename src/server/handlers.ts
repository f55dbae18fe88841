import type { Runtime } from '../engine/runtime.js';
import type { SourceHealth } from '../engine/status.js';
import { isCancellation } from '../errors.js';
import { httpStatusOf, type ReportedCode } from '../errors/codes.js';
import { codeOf, describeError } from '../errors/format.js';
import { VERSION } from '../version.js';
import type { Metrics } from './metrics.js';
import { sendError, sendJson, sendText } from './respond.js';
import type { Handler, RequestInfo } from './router.js';
import { configJson, healthJson, stateKeysJson, statusJson } from './source-view.js';
import { renderStatusPage } from './status-page.js';

export interface HandlerDeps {
  runtime: Runtime;
  metrics: Metrics;
  /** Aborts when hel shuts down; a poll triggered through the API stops with it. */
  shutdown: AbortSignal;
  /** `run --once` polls every source itself and then exits, so triggered polls are refused. */
  once: boolean;
  now?: () => number;
  /** Re-reads and applies the config file (SIGHUP's reload); absent with `--once`. */
  reload?: () => Promise<{ ok: true; changes: Record<string, string[]> } | { ok: false; error: string; errorCode: ReportedCode }>;
}

/** Sources that count towards readiness: they have delivered, even if the last poll had a hiccup. */
const HEALTHY: ReadonlySet<SourceHealth> = new Set(['ok', 'degraded']);

export function handlers(deps: HandlerDeps) {
  const { runtime } = deps;
  const now = deps.now ?? Date.now;
  const at = () => ({ now: now(), startedAt: runtime.startedAt });

  const knownSource = (request: RequestInfo) => {
    const source = runtime.source(request.params.name!);
    if (!source) sendError(request.res, 404, 'unknown_source', `no source named ${request.params.name}`);
    return source;
  };

  const healthz: Handler = ({ res }) => {
    const statuses = runtime.statuses();
    const allWell = statuses.every((s) => s.health === 'ok' || s.health === 'pending');
    const degradation = runtime.degradation.summary();
    const degraded = degradation.state_store_fallback_active || degradation.sources_without_checkpoint.length > 0;
    sendJson(res, 200, {
      status: allWell && !degraded ? 'ok' : 'degraded',
      version: VERSION,
      started_at: new Date(runtime.startedAt).toISOString(),
      uptime_secs: Math.round((now() - runtime.startedAt) / 1000),
      ...degradation,
      sources: statuses.map((s) => healthJson(s, at())),
    });
  };

  /**
   * The startup probe. The listeners open only once start-up is over (state store open, output
   * open, every source's committed state loaded and any crash read-back done), so an answer means
   * started; until then the probe's connection is refused, which a startup probe counts as not yet.
   */
  const startupz: Handler = ({ res }) => {
    sendJson(res, 200, { started: true, version: VERSION, started_at: new Date(runtime.startedAt).toISOString(), uptime_secs: Math.round((now() - runtime.startedAt) / 1000) });
  };

  const reload: Handler = async ({ res }) => {
    if (deps.reload === undefined) return sendError(res, 503, 'reload_unavailable', 'hel run --once does not reload its config; reload a continuously running hel');
    const result = await deps.reload();
    if (result.ok) return sendJson(res, 200, { ok: true, error: null, changes: result.changes });
    sendError(res, httpStatusOf(result.errorCode), 'reload_refused', result.error, { ok: false, error_code: result.errorCode });
  };

  const readyz: Handler = ({ res }) => {
    const healthySources = runtime
      .statuses()
      .filter((s) => HEALTHY.has(s.health))
      .map((s) => s.name);
    const checks = {
      state_store_healthy: runtime.store.healthy(),
      output_healthy: runtime.sink.healthy(),
      at_least_one_source_healthy: healthySources.length > 0,
    };
    const { state_store_fallback_active: fallback } = runtime.degradation.summary();
    const failed = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    const outputProblem = checks.output_healthy ? undefined : (runtime.sink.problem?.() ?? null);
    const body = {
      ready: failed.length === 0,
      ...checks,
      state_store_fallback_active: fallback,
      ...(outputProblem === undefined ? {} : { output_problem: outputProblem }),
      healthy_sources: healthySources,
      failed,
    };
    if (failed.length === 0) return sendJson(res, 200, body);
    sendError(res, 503, 'not_ready', `not ready: ${failed.join(', ')} is false`, body);
  };

  const metrics: Handler = async ({ res }) => {
    sendText(res, 200, deps.metrics.contentType, await deps.metrics.render());
  };

  const listSources: Handler = ({ res }) => {
    sendJson(res, 200, { sources: runtime.statuses().map((s) => statusJson(s, at())) });
  };

  const oneSource: Handler = (request) => {
    const source = knownSource(request);
    if (!source) return;
    const status = runtime.statuses().find((s) => s.name === source.source.name)!;
    sendJson(request.res, 200, { ...statusJson(status, at()), config: configJson(source.source) });
  };

  const sourceState: Handler = (request) => {
    const source = knownSource(request);
    if (!source) return;
    sendJson(request.res, 200, {
      name: source.source.name,
      keys: stateKeysJson(source.state.stored()),
      dedupe: source.state.dedupe ? { size: source.state.dedupe.size, capacity: source.state.dedupe.capacity } : null,
    });
  };

  const pollSource: Handler = async (request) => {
    const source = knownSource(request);
    if (!source) return;
    const { res } = request;
    const name = source.source.name;
    if (deps.once) return sendError(res, 409, 'run_once', 'hel run --once is already polling every source and exits when done; trigger polls while hel runs continuously');
    if (deps.shutdown.aborted) return sendError(res, 503, 'shutting_down', 'hel is shutting down');
    const started = now();
    let outcome;
    try {
      outcome = await runtime.pollNow(name, deps.shutdown);
    } catch (error) {
      return sendError(res, httpStatusOf(codeOf(error)), 'poll_aborted', `the poll stopped the collector: ${describeError(error)}`, { error_code: codeOf(error) });
    }
    const sourceStatus = statusJson(
      runtime.statuses().find((s) => s.name === name)!,
      at(),
    );
    if (outcome.ok) {
      const { pages, events, emitted, duplicates, unkeyed, stop, cursorReset } = outcome.result;
      const result = { pages, events, emitted, duplicates, unkeyed, stop, cursor_reset: cursorReset };
      return sendJson(res, 200, { ok: true, source: name, duration_ms: now() - started, result, source_status: sourceStatus });
    }
    if ('leasedBy' in outcome) return sendError(res, 409, 'leased_elsewhere', `poll skipped: ${outcome.reason}`, { source: name, source_status: sourceStatus });
    if ('skipped' in outcome) {
      const code = codeOf(outcome.error);
      return sendError(res, httpStatusOf(code), 'circuit_open', `poll skipped: ${describeError(outcome.error)}`, { ok: false, source: name, error_code: code, source_status: sourceStatus });
    }
    if (isCancellation(outcome.error)) return sendError(res, 503, 'shutting_down', 'the poll was cancelled because hel is shutting down');
    const code = codeOf(outcome.error);
    sendError(res, httpStatusOf(code), 'poll_failed', describeError(outcome.error), { ok: false, source: name, error_code: code, source_status: sourceStatus });
  };

  const statusPage: Handler = ({ res, authorized }) => {
    const page = renderStatusPage({
      statuses: authorized ? runtime.statuses() : undefined,
      version: VERSION,
      startedAt: runtime.startedAt,
      now: now(),
      outputProblem: authorized && !runtime.sink.healthy() ? (runtime.sink.problem?.() ?? 'the output reports a failure') : undefined,
    });
    sendText(res, 200, 'text/html; charset=utf-8', page.html, page.headers);
  };

  return { healthz, startupz, reload, readyz, metrics, listSources, oneSource, sourceState, pollSource, statusPage };
}
