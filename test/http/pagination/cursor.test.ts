import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HelError } from '../../../src/errors.js';
import { paginatorFor } from '../../../src/http/pagination/index.js';
import type { Paginator } from '../../../src/http/pagination/paginator.js';
import { thrownBy } from '../../helpers/hel-error.js';
import { bodyOf, pageOf, queryOf, resolvedSource } from '../../helpers/pages.js';

// The cursor strategy alone: which request it builds, what it checkpoints, and where it stops.
// (The CLI tests in test/engine prove the same contract end to end against a loopback API.)

const CURSOR = { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor' };

function post(pagination: Record<string, unknown> = {}, body: unknown = { limit: 100 }): Paginator {
  return paginatorFor(resolvedSource({ method: 'post', body, pagination: { ...CURSOR, ...pagination } }));
}

function get(pagination: Record<string, unknown> = {}): Paginator {
  return paginatorFor(resolvedSource({ url: 'https://api.example.com/events?api_key=k1', pagination: { ...CURSOR, ...pagination } }));
}

const anomaly = (fn: () => unknown): HelError => thrownBy(fn, 'a pagination anomaly');

test('first request: the configured body without a saved cursor; with one, merged into the body or replacing it (POST), or a query parameter (GET)', () => {
  const p = post();
  assert.equal(p.strategy, 'cursor');
  assert.deepEqual(p.stateKeys, ['cursor']);
  assert.deepEqual(bodyOf(p.first({})), { limit: 100 });
  assert.equal(p.resumes({}), false);
  assert.equal(p.resumes({ cursor: '' }), false, 'an empty stored cursor is no position');
  assert.deepEqual(bodyOf(p.first({ cursor: '' })), { limit: 100 });
  assert.deepEqual(bodyOf(p.first({ cursor: 'c1' })), { limit: 100, cursor: 'c1' });
  assert.equal(p.resumes({ cursor: 'c1' }), true);
  assert.deepEqual(bodyOf(post({ cursor_in_body: 'replace' }).first({ cursor: 'c1' })), { cursor: 'c1' });

  const g = get();
  const first = g.first({ cursor: 'c 1&x' });
  assert.equal(first.method, 'GET');
  assert.equal(first.body, undefined);
  assert.deepEqual(queryOf(first), { api_key: 'k1', cursor: 'c 1&x' }, 'the URL query is kept and the cursor encoded');
});

test('a cursor with has_more true (or absent) continues with that cursor and checkpoints it with the page', () => {
  const p = post();
  const first = p.first({});
  const step = p.next(pageOf(first, { items: [{ id: 1 }], cursor: 'c1', has_more: true }));
  assert.deepEqual(step.checkpoint, { cursor: 'c1' });
  assert.equal(step.end, undefined);
  assert.equal(step.stop, undefined);
  assert.deepEqual(bodyOf(step.next!), { limit: 100, cursor: 'c1' });
  const noFlag = p.next(pageOf(step.next!, { items: [{ id: 2 }], cursor: 'c2' }, { index: 2 }));
  assert.deepEqual(bodyOf(noFlag.next!), { limit: 100, cursor: 'c2' }, 'has_more is only checked when present');
});

test('has_more false ends the poll (an end, so a watermark may advance) and still checkpoints the new cursor', () => {
  const p = post();
  const step = p.next(pageOf(p.first({ cursor: 'c1' }), { items: [{ id: 1 }], cursor: 'c2', has_more: false }));
  assert.deepEqual(step, { checkpoint: { cursor: 'c2' }, stop: 'has_more is false', end: true });
});

test('a numeric cursor is stored as its decimal string; nested cursor_path and has_more_path are read', () => {
  const p = get({ cursor_path: 'meta.next', has_more_path: 'meta.more' });
  const step = p.next(pageOf(p.first({}), { items: [{ id: 1 }], meta: { next: 42, more: true } }));
  assert.deepEqual(step.checkpoint, { cursor: '42' });
  assert.equal(queryOf(step.next!).cursor, '42');
  const last = p.next(pageOf(step.next!, { items: [], meta: { next: 43, more: false } }, { index: 2 }));
  assert.equal(last.end, true);
});

test('a cursor that is not a string or a number is an anomaly (HEL_PAGINATION), the page is not written and the stored cursor kept', () => {
  const p = post();
  for (const [value, kind] of [
    [{ at: 1 }, 'an object'],
    [['c1'], 'a list'],
    [true, 'a boolean'],
    [Number.POSITIVE_INFINITY, 'a number'],
  ] as const) {
    const request = p.first({ cursor: 'c0' });
    const err = anomaly(() => p.next(pageOf(request, { items: [{ id: 1 }], cursor: value, has_more: true })));
    assert.equal(err.code, 'HEL_PAGINATION');
    assert.match(err.message, new RegExp(`the response's cursor is ${kind}, not a cursor string; this page was not written and the stored cursor was kept`));
  }
});

test('has_more true without a usable cursor (missing, null, empty) is an anomaly naming what it saw', () => {
  const p = post();
  for (const [cursor, said] of [
    [undefined, 'missing'],
    [null, 'null'],
    ['', 'empty'],
  ] as const) {
    const err = anomaly(() => p.next(pageOf(p.first({}), { items: [{ id: 1 }], cursor, has_more: true })));
    assert.match(err.message, new RegExp(`^has_more is true but the cursor \\(cursor\\) is ${said};`));
  }
});

test('a last page without a cursor keeps the cursor that fetched it (keep) or is an anomaly (on_missing_cursor: fail)', () => {
  const keep = post();
  const resumed = keep.next(pageOf(keep.first({ cursor: 'c7' }), { items: [{ id: 1 }], has_more: false }));
  assert.deepEqual(resumed, { checkpoint: {}, stop: 'no cursor in response; the cursor that fetched this page is kept', end: true }, 'no key written: the stored c7 stays');
  const fresh = keep.next(pageOf(keep.first({}), { items: [{ id: 1 }] }));
  assert.deepEqual(fresh, { checkpoint: {}, stop: 'no cursor in response', end: true });

  const strict = post({ on_missing_cursor: 'fail' });
  const err = anomaly(() => strict.next(pageOf(strict.first({ cursor: 'c7' }), { items: [], cursor: null })));
  assert.match(err.message, /^the cursor \(cursor\) is null \(on_missing_cursor: fail\)/);
});

test('the cursor echoed back: with no events the poll stops (nothing new, cursor kept); with events it is an anomaly (the same page again)', () => {
  const p = post();
  const request = p.first({ cursor: 'c3' });
  const idle = p.next(pageOf(request, { items: [], cursor: 'c3', has_more: true }));
  assert.deepEqual(idle, { checkpoint: { cursor: 'c3' }, stop: 'cursor echoed with no events' }, 'not an end: has_more said more may follow');
  const err = anomaly(() => p.next(pageOf(request, { items: [{ id: 1 }, { id: 2 }], cursor: 'c3', has_more: true })));
  assert.match(err.message, /echoed the cursor it was sent with 2 events: re-posting it would fetch the same page again/);
});

test('max_pages stops the poll after that many pages, checkpointing the cursor so the next poll resumes from it', () => {
  const p = post({ max_pages: 2 });
  const second = p.next(pageOf(p.first({ cursor: 'c1' }), { items: [{ id: 1 }], cursor: 'c2', has_more: true }, { index: 2 }));
  assert.deepEqual(second, { checkpoint: { cursor: 'c2' }, stop: 'max_pages (2) reached; the next poll resumes from the cursor' });
});

test("an anomaly carries the source, the page's URL without secrets, the status and a hint", () => {
  const p = get();
  const err = anomaly(() => p.next(pageOf(p.first({ cursor: 'c1' }), { items: [{ id: 1 }], has_more: true }, { status: 200 })));
  assert.equal(err.context.source, 's');
  assert.equal(err.context.url, 'https://api.example.com/events?api_key=REDACTED&cursor=c1');
  assert.equal(err.context.status, 200);
  assert.match(String(err.context.hint), /nothing was skipped/);
});
