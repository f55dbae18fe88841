import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_TOKEN, bearer, cleanupScope, type Daemon, getJson, waitFor } from '../helpers/hel-process.js';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { tempDir } from '../helpers/tmp.js';
import { SOURCE_SECRET } from '../helpers/server-config.js';
import type { LoopbackApi } from '../helpers/loopback-apis.js';
import { startThreeSources } from './three-sources.js';

/** Suite-level temp dirs, removed in the suite's after hook once hel has stopped. */
const dirs = cleanupScope();

type Json = Record<string, unknown>;

/** One running `hel run` with a healthy cursor source, a failing one (500) and one whose circuit opens (401). */
void describe('hel run with the API enabled', () => {
  let hel: Daemon;
  let apis: LoopbackApi[];
  let api: string;

  before(async () => {
    ({ hel, apis } = await startThreeSources(dirs, tempDir(dirs), { ok: 'audit', failing: 'broken', circuitOpen: 'denied' }));
    api = hel.urls.api!;
    await waitFor(
      async () => {
        const { body } = await getJson(`${api}/healthz`);
        const status = new Map((body.sources as Json[]).map((s) => [s.name, s.status]));
        return status.get('audit') === 'ok' && status.get('broken') === 'failing' && status.get('denied') === 'circuit-open';
      },
      10_000,
      'audit ok, broken failing, denied circuit-open',
    );
  });

  after(async () => {
    const code = await hel?.stop();
    // The temp dir goes only once hel has stopped: its state file must outlive the run.
    await dirs.run();
    await Promise.all(apis.map((a) => a.close()));
    delete process.env.AUDIT_API_TOKEN;
    assert.equal(code, 0, `hel should exit 0 on SIGTERM; stderr:\n${hel.stderr()}`);
  });

  void it('GET /healthz reports version, uptime and every source without a token', async () => {
    const { status, body } = await getJson(`${api}/healthz`);
    assert.equal(status, 200);
    assert.equal(body.status, 'degraded');
    assert.match(String(body.version), /^\d+\.\d+\.\d+/);
    assert.equal(typeof body.uptime_secs, 'number');
    const sources = body.sources as Json[];
    assert.deepEqual(
      sources.map((s) => s.name),
      ['audit', 'broken', 'denied'],
    );
    const audit = sources[0]!;
    assert.equal(audit.last_error, null);
    assert.ok(Date.parse(String(audit.last_success_at)) > 0);
    const broken = sources[1]!;
    assert.equal(broken.last_success_at, null);
    assert.match(String(broken.last_error), /500/);
    assert.equal(sources[2]!.circuit, 'open');
  });

  void it('GET /readyz is 200 while one source is healthy and the store and output work', async () => {
    const { status, body } = await getJson(`${api}/readyz`);
    assert.equal(status, 200);
    assert.equal(body.ready, true);
    assert.equal(body.state_store_healthy, true);
    assert.equal(body.output_healthy, true);
    assert.deepEqual(body.healthy_sources, ['audit']);
  });

  void it('GET /metrics serves the series with source labels, on the API port and the metrics port', async () => {
    const text = await waitFor(
      async () => {
        const body = await (await fetch(`${hel.urls.metrics!}/metrics`)).text();
        return /hel_polls_total\{source="denied",result="failed"\} 2/.test(body) ? body : undefined;
      },
      5000,
      'two failed polls of denied',
    );
    assert.match(text, /hel_requests_total\{source="audit",status_class="2xx"\} \d+/);
    assert.match(text, /hel_requests_total\{source="broken",status_class="5xx"\} \d+/);
    assert.match(text, /hel_requests_total\{source="denied",status_class="4xx"\} 2\n/);
    assert.match(text, /hel_events_emitted_total\{source="audit"\} 3\n/);
    assert.match(text, /hel_duplicates_dropped_total\{source="audit"\} 1\n/);
    assert.match(text, /hel_errors_total\{source="broken",code="HEL_HTTP_STATUS"\} \d+/);
    assert.match(text, /hel_retries_total\{source="broken"\} [1-9]/);
    assert.match(text, /hel_retries_total\{source="denied"\} 0\n/);
    assert.match(text, /hel_rate_limited_total\{source="audit"\} 0\n/);
    assert.match(text, /hel_circuit_state\{source="denied"\} 1\n/);
    assert.match(text, /hel_circuit_state\{source="audit"\} 0\n/);
    assert.match(text, /hel_polls_skipped_total\{source="denied"\} \d+\n/);
    assert.match(text, /hel_seconds_since_last_success\{source="audit"\} \d/);
    assert.match(text, /hel_cursor_lag_seconds\{source="audit"\} (29\d|30\d)(\.\d+)?\n/);
    assert.match(text, /hel_request_duration_seconds_bucket\{le="0.05",source="audit"\} \d+/);
    assert.match(text, /hel_state_write_duration_seconds_count [1-9]/);
    assert.match(text, /hel_build_info\{version="\d+\.\d+\.\d+[^"]*"\} 1/);
    assert.match(text, /process_resident_memory_bytes \d+/);
    const viaApi = await fetch(`${api}/metrics`);
    assert.equal(viaApi.status, 200);
    assert.match(viaApi.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(await viaApi.text(), /hel_events_emitted_total\{source="audit"\} 3\n/);
  });

  void it('the metrics-only listener serves nothing but /metrics', async () => {
    const { status, body } = await getJson(`${hel.urls.metrics!}/api/v1/sources`, bearer);
    assert.equal(status, 404);
    assert.equal(body.code, 'not_found');
  });

  void it('/api/v1 needs the bearer token: 401 without or with a wrong one', async () => {
    for (const init of [{}, { headers: { authorization: 'Bearer wrong' } }, { headers: { authorization: `Basic ${API_TOKEN}` } }]) {
      const { status, body, headers } = await getJson(`${api}/api/v1/sources`, init);
      assert.equal(status, 401);
      assert.equal(body.code, 'unauthorized');
      assert.equal(typeof body.error, 'string');
      assert.match(headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    const poll = await getJson(`${api}/api/v1/sources/audit/poll`, { method: 'POST' });
    assert.equal(poll.status, 401);
  });

  void it('GET /api/v1/sources lists every source with its status', async () => {
    const { status, body } = await getJson(`${api}/api/v1/sources`, bearer);
    assert.equal(status, 200);
    const sources = body.sources as Json[];
    assert.deepEqual(
      sources.map((s) => [s.name, s.status]),
      [
        ['audit', 'ok'],
        ['broken', 'failing'],
        ['denied', 'circuit-open'],
      ],
    );
    const audit = sources[0]!;
    assert.equal(audit.events_total, 3);
    assert.equal(audit.duplicates_total, 1);
    assert.equal(audit.events_last_hour, 3);
    assert.equal(audit.dedupe_window, 3);
    assert.ok(Date.parse(String(audit.next_poll_at)) > 0 || audit.polling === true);
  });

  void it('GET /api/v1/sources/{name} adds the config with env var names and no secret values', async () => {
    const response = await fetch(`${api}/api/v1/sources/audit`, bearer);
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.ok(!text.includes(SOURCE_SECRET), 'the source token value must never be served');
    assert.ok(!text.includes(API_TOKEN));
    const body = JSON.parse(text) as Json;
    const config = body.config as Json;
    assert.equal(body.status, 'ok');
    assert.deepEqual(config.auth, { type: 'bearer', token_env: 'AUDIT_API_TOKEN', prefix: 'Bearer' });
    assert.deepEqual(config.header_names, ['X-Tenant']);
    assert.deepEqual((config.schedule as Json).interval_secs, 1);
    assert.equal((config.pagination as Json).strategy, 'cursor');
  });

  void it('GET /api/v1/sources/{name}/state shows the committed cursor and the dedupe window', async () => {
    const { status, body } = await getJson(`${api}/api/v1/sources/audit/state`, bearer);
    assert.equal(status, 200);
    const keys = body.keys as Json;
    assert.equal(keys.cursor, 'c2');
    assert.equal(keys.events_total, '3');
    assert.ok(Date.parse(String(keys.last_event_time)) > 0);
    assert.deepEqual(body.dedupe, { size: 3, capacity: 100_000 });
    const denied = await getJson(`${api}/api/v1/sources/denied/state`, bearer);
    assert.equal(((denied.body.keys as Json).breaker as Json).state, 'open');
  });

  void it('POST /api/v1/sources/{name}/poll polls now and returns the outcome', async () => {
    const ok = await getJson(`${api}/api/v1/sources/audit/poll`, { method: 'POST', ...bearer });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ok, true);
    assert.deepEqual(Object.keys(ok.body.result as Json), ['pages', 'events', 'emitted', 'duplicates', 'unkeyed', 'stop', 'cursor_reset']);
    assert.equal((ok.body.source_status as Json).status, 'ok');

    const failed = await getJson(`${api}/api/v1/sources/broken/poll`, { method: 'POST', ...bearer });
    assert.equal(failed.status, 502);
    assert.equal(failed.body.code, 'poll_failed');
    assert.equal(failed.body.error_code, 'HEL_HTTP_STATUS');
    assert.equal(failed.body.ok, false);
    assert.equal(failed.body.source, 'broken');
    assert.match(String(failed.body.error), /500/);
    assert.equal((failed.body.source_status as Json).status, 'failing');

    const open = await getJson(`${api}/api/v1/sources/denied/poll`, { method: 'POST', ...bearer });
    assert.equal(open.status, 409);
    assert.equal(open.body.code, 'circuit_open');
    assert.match(String(open.body.error), /circuit open/);
    // The open breaker refuses with a HelError: its code, its table status and the formatter's line (with the hint).
    assert.equal(open.body.error_code, 'HEL_CIRCUIT_OPEN');
    assert.equal(open.status, ERROR_CODES.HEL_CIRCUIT_OPEN.http);
    assert.equal(open.body.ok, false);
    assert.equal(open.body.source, 'denied');
    assert.match(String(open.body.error), /^poll skipped: circuit open; next trial poll in \d+s — the source's last polls failed .*restart_sources_on_sighup/);
    // However many polls the open breaker refused (scheduled ones and this one), the log has one line for them, with the code.
    const refusals = hel
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"poll skipped: circuit open'));
    assert.equal(refusals.length, 1, hel.stderr());
    assert.match(refusals[0]!, /"source":"denied".*"code":"HEL_CIRCUIT_OPEN"/);
  });

  void it('answers unknown sources, paths and methods with JSON errors', async () => {
    const unknown = await getJson(`${api}/api/v1/sources/nope`, bearer);
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'unknown_source']);
    const unknownPoll = await getJson(`${api}/api/v1/sources/nope/poll`, { method: 'POST', ...bearer });
    assert.deepEqual([unknownPoll.status, unknownPoll.body.code], [404, 'unknown_source']);
    const path = await getJson(`${api}/api/v2/whatever`);
    assert.deepEqual([path.status, path.body.code], [404, 'not_found']);
    const method = await getJson(`${api}/healthz`, { method: 'DELETE' });
    assert.deepEqual([method.status, method.body.code], [405, 'method_not_allowed']);
    assert.equal(method.headers.get('allow'), 'GET');
  });

  void it('GET / with the token renders one escaped row per source; without it only the shell', async () => {
    const response = await fetch(`${api}/`, bearer);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'nonce-/);
    const html = await response.text();
    for (const [name, status] of [
      ['audit', 'ok'],
      ['broken', 'failing'],
      ['denied', 'circuit-open'],
    ]) {
      assert.match(html, new RegExp(`<tr class="source [^"]*" data-source="${name}" data-status="${status}">`));
    }
    assert.ok(!html.includes('<img src=x'), 'remote error text must be escaped');
    assert.ok(!html.includes(SOURCE_SECRET));
    const shell = await (await fetch(`${api}/`)).text();
    assert.ok(!shell.includes('data-source='), 'no data without the token');
    assert.match(shell, /#token=/);
  });
});
