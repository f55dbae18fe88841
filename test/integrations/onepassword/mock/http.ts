import { request } from 'undici';
import type { MockServer } from '../../../../src/integrations/onepassword/mock/server.js';

export interface HttpResult {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  json: Record<string, unknown>;
}

export interface Page {
  items: Record<string, unknown>[];
  cursor: string;
  has_more: boolean;
}

/** A clock tests move by hand, so windows and limits are asserted without sleeping. */
export function manualClock(start = Date.UTC(2026, 2, 2, 12, 0, 0)): { now: () => number; advance(ms: number): void } {
  let current = start;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
  };
}

export async function call(
  mock: MockServer,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? mock.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  // undici's request rather than fetch: several times faster, which keeps the 600-request test quick.
  const res = await request(mock.url + path, { method: method as 'GET' | 'POST', headers, ...(body === undefined ? {} : { body }) });
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Fault tests look at the text.
  }
  const get = (name: string): string | null => {
    const value = res.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  return { status: res.statusCode, headers: { get }, text, json };
}

export async function events(mock: MockServer, path: string, body: unknown, token?: string): Promise<Page> {
  const res = await call(mock, 'POST', path, { body, ...(token === undefined ? {} : { token }) });
  if (res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${res.text}`);
  return res.json as unknown as Page;
}

/** Follows the cursor until has_more is false; returns every item and the final cursor. */
export async function drain(mock: MockServer, path: string, first: unknown, token?: string): Promise<{ items: Record<string, unknown>[]; cursor: string; pages: Page[] }> {
  const pages: Page[] = [];
  let page = await events(mock, path, first, token);
  pages.push(page);
  while (page.has_more) {
    page = await events(mock, path, { cursor: page.cursor }, token);
    pages.push(page);
    if (pages.length > 1000) throw new Error('pagination did not end');
  }
  return { items: pages.flatMap((p) => p.items), cursor: page.cursor, pages };
}

export const UNAUTHORIZED = { Error: { Message: 'Unauthorized' } };
export const BAD_REQUEST = { Error: { Message: 'Bad Request' } };
