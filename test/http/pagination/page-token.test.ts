import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paginatorFor } from '../../../src/http/pagination/index.js';
import { pageOf, queryOf, resolvedSource } from '../../helpers/pages.js';

// page_token: GET pages by an opaque token; across polls the position is a field of the last
// delivered event (resume_from), never the token itself.

const URL_ = 'https://events.example.com/api/v3/auditevents';
const PAGINATION = { strategy: 'page_token', resume_param: 'start_time', resume_path: 'insert_time', max_pages: 3 };
const event = (id: number, insert_time?: unknown) => ({ id, ...(insert_time === undefined ? {} : { insert_time }) });

test('first request: the configured URL, or resume_param = the saved resume_from', () => {
  const p = paginatorFor(resolvedSource({ url: `${URL_}?page_size=2`, pagination: PAGINATION }));
  assert.equal(p.strategy, 'page_token');
  assert.deepEqual(p.stateKeys, ['resume_from']);
  assert.deepEqual(queryOf(p.first({})), { page_size: '2' });
  assert.equal(p.resumes({}), false);
  assert.deepEqual(queryOf(p.first({ resume_from: '2026-01-01T00:00:00.5Z' })), { page_size: '2', start_time: '2026-01-01T00:00:00.5Z' });
  assert.equal(p.resumes({ resume_from: '2026-01-01T00:00:00.5Z' }), true);
});

test('each page checkpoints the last event that has the resume field and asks for the next token on the configured URL', () => {
  const p = paginatorFor(resolvedSource({ url: `${URL_}?page_size=2`, pagination: PAGINATION }));
  const first = p.first({ resume_from: 't0' });
  const step = p.next(pageOf(first, { items: [event(1, 't1'), event(2, 't2'), event(3)], next_page_token: 'tok-2' }));
  assert.deepEqual(step.checkpoint, { resume_from: 't2' }, 'the last event with a non-empty insert_time');
  assert.deepEqual(queryOf(step.next!), { page_size: '2', page_token: 'tok-2' }, 'the token replaces the resume bound; the token is never stored');
});

test('a page whose events carry no resume value checkpoints nothing (the saved position stays)', () => {
  const p = paginatorFor(resolvedSource({ url: URL_, pagination: PAGINATION }));
  const step = p.next(pageOf(p.first({}), { items: [event(1), event(2, ''), event(3, 7)], next_page_token: 'tok-2' }));
  assert.deepEqual(step.checkpoint, {});
  assert.ok(step.next);
});

test('no token (missing or empty) ends the poll; max_pages stops it with the position saved', () => {
  const p = paginatorFor(resolvedSource({ url: URL_, pagination: { ...PAGINATION, token_path: 'meta.next', token_param: 'pt' } }));
  const request = p.first({});
  assert.deepEqual(p.next(pageOf(request, { items: [event(1, 't1')], meta: {} })), { checkpoint: { resume_from: 't1' }, stop: 'no meta.next: the window is exhausted' });
  assert.deepEqual(p.next(pageOf(request, { items: [], meta: { next: '' } })), { checkpoint: {}, stop: 'no meta.next: the window is exhausted' });
  assert.deepEqual(p.next(pageOf(request, { items: [event(1, 't1')], meta: { next: 'x' } }, { index: 3 })), {
    checkpoint: { resume_from: 't1' },
    stop: 'max_pages (3) reached; the next poll resumes from insert_time',
  });
  assert.equal(queryOf(p.next(pageOf(request, { items: [event(1, 't1')], meta: { next: 'x' } }, { index: 2 })).next!).pt, 'x');
});
