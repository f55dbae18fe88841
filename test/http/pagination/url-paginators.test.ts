import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paginatorFor } from '../../../src/http/pagination/index.js';
import { parseLinkHeader } from '../../../src/http/pagination/link-header.js';
import { pageOf, resolvedSource } from '../../helpers/pages.js';

// link_header and next_url: the position is the next page's URL, kept across polls in `next_url`.

const BASE = 'https://api.example.com/api/v1/logs';

test('parseLinkHeader picks the rel asked for (case-insensitive, quoted or bare, one of several rels) and resolves it against the response URL', () => {
  const header = '<https://api.example.com/logs?after=1>; rel="self", </api/v1/logs?after=2&limit=2>; rel="next", <x?p=1>; rel=first';
  assert.equal(parseLinkHeader(header, 'next', BASE), 'https://api.example.com/api/v1/logs?after=2&limit=2');
  assert.equal(parseLinkHeader(header, 'NEXT', BASE), 'https://api.example.com/api/v1/logs?after=2&limit=2');
  assert.equal(parseLinkHeader(header, 'first', BASE), 'https://api.example.com/api/v1/x?p=1');
  assert.equal(parseLinkHeader('<https://a.example/p2>; rel="prefetch next"', 'next', BASE), 'https://a.example/p2', 'a space-separated rel list');
  assert.equal(parseLinkHeader('<https://a.example/p,2>; rel="next"', 'next', BASE), 'https://a.example/p,2', 'a comma inside the URL does not split entries');
  assert.equal(parseLinkHeader(header, 'prev', BASE), undefined);
  assert.equal(parseLinkHeader(undefined, 'next', BASE), undefined);
  assert.equal(parseLinkHeader('', 'next', BASE), undefined);
  assert.equal(parseLinkHeader('garbage; rel=next', 'next', BASE), undefined);
  assert.equal(parseLinkHeader('<http://[::1>; rel="next"', 'next', BASE), undefined, 'an unparsable URL is no next page');
});

test('link_header: first request from the configured URL or the saved next_url; each page checkpoints the next link', () => {
  const p = paginatorFor(resolvedSource({ url: `${BASE}?limit=2`, pagination: { strategy: 'link_header' } }));
  assert.equal(p.strategy, 'link_header');
  assert.deepEqual(p.stateKeys, ['next_url']);
  assert.equal(p.first({}).url, `${BASE}?limit=2`);
  assert.equal(p.resumes({}), false);
  assert.equal(p.first({ next_url: `${BASE}?after=9` }).url, `${BASE}?after=9`);
  assert.equal(p.resumes({ next_url: `${BASE}?after=9` }), true);

  const first = p.first({});
  const step = p.next(pageOf(first, [{ id: 1 }, { id: 2 }], { headers: { link: '</api/v1/logs?after=2>; rel="next"' } }));
  assert.deepEqual(step.checkpoint, { next_url: `${BASE}?after=2` });
  assert.equal(step.next?.url, `${BASE}?after=2`);
  assert.equal(step.stop, undefined);
});

test('link_header: the link is resolved against the URL that answered (after a redirect) and a custom rel is honoured', () => {
  const p = paginatorFor(resolvedSource({ url: BASE, pagination: { strategy: 'link_header', rel: 'older' } }));
  const step = p.next(pageOf(p.first({}), [{ id: 1 }], { headers: { link: '<page2>; rel="older", <nope>; rel="next"' }, url: 'https://eu.api.example.com/v2/logs' }));
  assert.equal(step.next?.url, 'https://eu.api.example.com/v2/page2');
});

test('link_header: without a next link the URL of the last page is kept, so the next poll re-reads it instead of starting over', () => {
  const p = paginatorFor(resolvedSource({ url: BASE, pagination: { strategy: 'link_header' } }));
  const request = p.first({ next_url: `${BASE}?after=4` });
  const step = p.next(pageOf(request, [{ id: 5 }], { headers: {} }));
  assert.deepEqual(step, { checkpoint: { next_url: `${BASE}?after=4` }, stop: 'no next page' });
});

test('link_header: an empty page with a next link, a next link to the same page, and max_pages each stop the poll with the link saved', () => {
  const p = paginatorFor(resolvedSource({ url: BASE, pagination: { strategy: 'link_header', max_pages: 3 } }));
  const request = p.first({ next_url: `${BASE}?after=4` });
  const link = (url: string) => ({ link: `<${url}>; rel="next"` });
  assert.deepEqual(p.next(pageOf(request, [], { headers: link(`${BASE}?after=5`) })), { checkpoint: { next_url: `${BASE}?after=5` }, stop: 'empty page' });
  assert.deepEqual(p.next(pageOf(request, [{ id: 1 }], { headers: link(`${BASE}?after=4`) })), { checkpoint: { next_url: `${BASE}?after=4` }, stop: 'next page is this page' });
  assert.deepEqual(p.next(pageOf(request, [{ id: 1 }], { headers: link(`${BASE}?after=5`), index: 3 })), {
    checkpoint: { next_url: `${BASE}?after=5` },
    stop: 'max_pages (3) reached; the next poll resumes from the saved URL',
  });
  assert.ok(p.next(pageOf(request, [{ id: 1 }], { headers: link(`${BASE}?after=5`), index: 2 })).next, 'below max_pages it continues');
});

test('next_url: the next URL comes from the body (absolute or relative); empty, missing, non-string or unparsable values end the poll', () => {
  const p = paginatorFor(resolvedSource({ url: BASE, pagination: { strategy: 'next_url', next_url_path: 'links.next' } }));
  assert.equal(p.strategy, 'next_url');
  const request = p.first({});
  const relative = p.next(pageOf(request, { data: [1], links: { next: '?page=2' } }, { events: [1] }));
  assert.equal(relative.next?.url, `${BASE}?page=2`);
  assert.deepEqual(relative.checkpoint, { next_url: `${BASE}?page=2` });
  const absolute = p.next(pageOf(request, { data: [1], links: { next: 'https://other.example.com/p/2' } }, { events: [1] }));
  assert.equal(absolute.next?.url, 'https://other.example.com/p/2');
  for (const next of [undefined, null, '', 42, 'http://[::1']) {
    const step = p.next(pageOf(request, { data: [1], links: { next } }, { events: [1] }));
    assert.deepEqual(step, { checkpoint: { next_url: BASE }, stop: 'no next page' }, `next = ${JSON.stringify(next)}`);
  }
});

test('next_url: a saved URL is where the next poll starts, with the configured headers', () => {
  const source = resolvedSource({ url: BASE, headers: { Accept: 'application/json' }, pagination: { strategy: 'next_url', next_url_path: 'next' } });
  const p = paginatorFor(source);
  const first = p.first({ next_url: `${BASE}?cursor=abc` });
  assert.equal(first.method, 'GET');
  assert.equal(first.url, `${BASE}?cursor=abc`);
  assert.equal(first.headers.Accept, 'application/json');
});
