import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paginatorFor } from '../../../src/http/pagination/index.js';
import { bodyOf, pageOf, queryOf, resolvedSource } from '../../helpers/pages.js';

// page, page_offset and offset keep no position between polls: each poll starts at the first page
// and stops on a short page or at max_pages. `none` is one request per poll.

const URL_ = 'https://api.example.com/events';
const events = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i }));

test('page: first_page and page_param/limit_param defaults; a full page asks for the next, a short page stops', () => {
  const p = paginatorFor(resolvedSource({ url: `${URL_}?type=audit`, pagination: { strategy: 'page', limit: 3 } }));
  assert.equal(p.strategy, 'page');
  assert.deepEqual(p.stateKeys, []);
  assert.equal(p.resumes({ cursor: 'x' }), false, 'never resumes: no position is saved');
  const first = p.first({});
  assert.deepEqual(queryOf(first), { type: 'audit', page: '1', limit: '3' });
  const full = p.next(pageOf(first, events(3), { index: 1 }));
  assert.deepEqual(full.checkpoint, {});
  assert.deepEqual(queryOf(full.next!), { type: 'audit', page: '2', limit: '3' });
  const third = p.next(pageOf(full.next!, events(3), { index: 2 }));
  assert.equal(queryOf(third.next!).page, '3');
  assert.deepEqual(p.next(pageOf(third.next!, events(2), { index: 3 })), { checkpoint: {}, stop: 'short page' });
  assert.deepEqual(p.next(pageOf(third.next!, [], { index: 3 })), { checkpoint: {}, stop: 'short page' });
});

test('page: first_page 0 counts from zero; max_pages stops after that many full pages', () => {
  const p = paginatorFor(resolvedSource({ url: URL_, pagination: { strategy: 'page', limit: 2, first_page: 0, page_param: 'p', limit_param: 'n', max_pages: 2 } }));
  const first = p.first({});
  assert.deepEqual(queryOf(first), { p: '0', n: '2' });
  const second = p.next(pageOf(first, events(2), { index: 1 }));
  assert.deepEqual(queryOf(second.next!), { p: '1', n: '2' });
  assert.deepEqual(p.next(pageOf(second.next!, events(2), { index: 2 })), { checkpoint: {}, stop: 'max_pages (2) reached' });
});

test("page_offset (the Rust Hel's name) starts at page 1 with its own parameter names", () => {
  const p = paginatorFor(resolvedSource({ url: URL_, pagination: { strategy: 'page_offset', page_param: 'pageNumber', limit_param: 'pageSize', limit: 50 } }));
  assert.equal(p.strategy, 'page_offset');
  const first = p.first({});
  assert.deepEqual(queryOf(first), { pageNumber: '1', pageSize: '50' });
  assert.deepEqual(queryOf(p.next(pageOf(first, events(50))).next!), { pageNumber: '2', pageSize: '50' });
});

test('offset counts items: offset = pages done × limit', () => {
  const p = paginatorFor(resolvedSource({ url: URL_, pagination: { strategy: 'offset', limit: 25 } }));
  const first = p.first({});
  assert.deepEqual(queryOf(first), { offset: '0', limit: '25' });
  const second = p.next(pageOf(first, events(25), { index: 1 })).next!;
  assert.deepEqual(queryOf(second), { offset: '25', limit: '25' });
  assert.deepEqual(queryOf(p.next(pageOf(second, events(25), { index: 2 })).next!), { offset: '50', limit: '25' });
});

test('POST: the position and the limit are merged into the configured JSON body, not the query', () => {
  const p = paginatorFor(resolvedSource({ url: URL_, method: 'post', body: { filter: 'x' }, pagination: { strategy: 'page', limit: 2 } }));
  const first = p.first({});
  assert.equal(first.method, 'POST');
  assert.deepEqual(queryOf(first), {});
  assert.deepEqual(bodyOf(first), { filter: 'x', page: 1, limit: 2 });
  assert.deepEqual(bodyOf(p.next(pageOf(first, events(2))).next!), { filter: 'x', page: 2, limit: 2 });
});

test('none: one request per poll, and that is the end of the data', () => {
  const p = paginatorFor(resolvedSource({ url: URL_, pagination: { strategy: 'none' } }));
  assert.equal(p.strategy, 'none');
  assert.equal(p.first({ next_url: 'https://elsewhere.example/' }).url, URL_, 'no saved position is used');
  assert.deepEqual(p.next(pageOf(p.first({}), events(1000))), { checkpoint: {}, stop: 'single request', end: true });
});
