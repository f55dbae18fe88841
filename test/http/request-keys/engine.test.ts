import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHelError } from '../../../src/errors.js';
import { json, scriptedServer } from '../../helpers/loopback.js';
import { sourceEngine } from '../../helpers/source-engine.js';

const source = (url: string, extra: string) => `
sources:
  api:
    url: ${url}/events
${extra}`;

test('circuit_breaker.reset_timeout_secs shortens the open period to min(half_open_timeout_secs, reset_timeout_secs)', async (t) => {
  let healthy = false;
  const server = await scriptedServer(t, (_n, _req, res) => (healthy ? json(res, 200, { items: [] }) : json(res, 503, { message: 'down' })));
  const e = await sourceEngine(
    t,
    source(
      server.url,
      `    resilience:
      retries: { max_attempts: 0 }
      circuit_breaker: { failure_threshold: 2, half_open_timeout_secs: 300, reset_timeout_secs: 30, success_threshold: 1 }
`,
    ),
  );
  await e.poll();
  await e.poll();
  assert.equal(e.runtime.breaker.state, 'open');
  assert.equal(e.runtime.breaker.msUntilTrial(), 30_000);
  assert.ok(e.logs().some((l) => /polls are skipped for 30s/.test(String(l.msg))));
  const skipped = await e.poll();
  assert.ok(!skipped.ok && 'skipped' in skipped, 'open: the poll is skipped');
  assert.equal(server.requests.length, 2);
  e.clock.advance(30_000);
  healthy = true;
  assert.ok((await e.poll()).ok, 'the trial poll after 30 s, not 300 s');
  assert.equal(server.requests.length, 3);
  assert.equal(e.runtime.breaker.state, 'closed');
});

test('circuit_breaker.failure_rate_threshold over the last minimum_requests polls opens without consecutive failures', async (t) => {
  const outcomes = [503, 200, 503, 200, 503];
  const server = await scriptedServer(t, (n, _req, res) => json(res, outcomes[n] ?? 200, outcomes[n] === 503 ? { message: 'flaky' } : { items: [] }));
  const e = await sourceEngine(
    t,
    source(
      server.url,
      `    resilience:
      retries: { max_attempts: 0 }
      circuit_breaker: { failure_threshold: 10, failure_rate_threshold: 0.5, minimum_requests: 4 }
`,
    ),
  );
  const states: string[] = [];
  for (let i = 0; i < outcomes.length; i++) {
    await e.poll();
    states.push(e.runtime.breaker.state);
  }
  // Poll 3 fails 2 of 3 — not enough polls seen yet; poll 5 makes the last four 2 of 4 = 0.5.
  assert.deepEqual(states, ['closed', 'closed', 'closed', 'closed', 'open']);
  assert.equal(e.runtime.breaker.toJSON().recent, '', 'the window starts over when the breaker opens');
});

const cursorSource = (url: string, onCursorError: string) =>
  source(
    url,
    `    pagination: { strategy: cursor, cursor_param: cursor, cursor_path: next }
    on_cursor_error: ${onCursorError}
    cursor_reset: { start_param: since, overlap_secs: 300 }
`,
  );

const STORED = { cursor: 'old-cursor', last_event_time: '2026-01-01T10:00:00.000Z' };

for (const [status, body] of [
  [410, { message: 'Gone' }],
  [422, { error: { code: 'E0000', message: 'The pagination cursor has expired' } }],
  [400, { message: 'Bad Request' }],
] as const) {
  test(`on_cursor_error: reset — a ${status} to the stored cursor restarts from the last event time`, async (t) => {
    const server = await scriptedServer(t, (_n, req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.searchParams.get('cursor') === 'old-cursor') json(res, status, body);
      else json(res, 200, { items: [{ id: 'e1' }], next: 'new-cursor', has_more: false });
    });
    const e = await sourceEngine(t, cursorSource(server.url, 'reset'), STORED);
    const outcome = await e.poll();
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.result.cursorReset, true);
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ['/events?cursor=old-cursor', `/events?since=${encodeURIComponent('2026-01-01T09:55:00.000Z')}`],
    );
    assert.deepEqual(e.events, [{ id: 'e1' }]);
    assert.equal((await e.store.load('api')).keys.cursor, 'new-cursor');
    assert.ok(e.logs().some((l) => new RegExp(`the stored cursor was rejected \\(${status}\\); restarting from 2026-01-01T10:00:00.000Z`).test(String(l.msg))));
  });
}

test('on_cursor_error: a 4xx whose body does not mention the cursor is an ordinary failure: no reset, the cursor is kept', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 404, { message: 'Not Found' }));
  const e = await sourceEngine(t, cursorSource(server.url, 'reset'), STORED);
  const outcome = await e.poll();
  assert.ok(!outcome.ok && 'error' in outcome && isHelError(outcome.error) && outcome.error.context.status === 404);
  assert.equal(server.requests.length, 1);
  assert.equal((await e.store.load('api')).keys.cursor, 'old-cursor');
});

test('on_cursor_error: fail — a 410 to the stored cursor fails the poll, keeps the cursor and says how to reset', async (t) => {
  const server = await scriptedServer(t, (_n, _req, res) => json(res, 410, { message: 'cursor expired' }));
  const e = await sourceEngine(t, cursorSource(server.url, 'fail'), STORED);
  const outcome = await e.poll();
  assert.ok(!outcome.ok && 'error' in outcome && isHelError(outcome.error));
  assert.match(outcome.error.message, /^the server rejected the stored position \(HTTP 410 Gone \("cursor expired"\)\); the stored cursor was kept$/);
  assert.match(outcome.error.context.hint ?? '', /set on_cursor_error: reset/);
  assert.equal(server.requests.length, 1);
  assert.equal((await e.store.load('api')).keys.cursor, 'old-cursor');
});

test('timeouts.poll_tick_secs ends a poll that runs too long; the pages read before it are committed', async (t) => {
  const server = await scriptedServer(t, (_n, req, res) => {
    const cursor = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('cursor') ?? '0');
    setTimeout(() => json(res, 200, { items: [{ id: `e${cursor}` }], next: String(cursor + 1), has_more: true }), 150).unref();
  });
  const e = await sourceEngine(
    t,
    source(
      server.url,
      `    pagination: { strategy: cursor, cursor_param: cursor, cursor_path: next, max_pages: 1000 }
    resilience:
      timeouts: { poll_tick_secs: 0.6 }
`,
    ),
  );
  const started = performance.now();
  const outcome = await e.poll();
  assert.ok(performance.now() - started < 3000, 'the poll was cut short');
  assert.ok(!outcome.ok && 'error' in outcome && isHelError(outcome.error), JSON.stringify(outcome));
  assert.equal(outcome.error.code, 'HEL_TIMEOUT');
  assert.match(outcome.error.message, /the poll took longer than timeouts\.poll_tick_secs \(0\.6 s\); the pages read before were committed/);
  assert.ok(e.events.length >= 1, 'pages before the deadline were delivered');
  assert.equal((await e.store.load('api')).keys.cursor, String(e.events.length), 'the stored cursor follows the last delivered page');
  assert.equal(e.runtime.status.lastErrorCode, 'HEL_TIMEOUT');
});
