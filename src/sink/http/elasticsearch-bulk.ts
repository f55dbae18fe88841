import { createHash } from 'node:crypto';
import { HelError } from '../../errors.js';
import { excerpt, parseAnswer, type Accepted, type HttpFormat } from './format.js';
import { indexNamer } from './index-name.js';
import type { OutLine } from './lines.js';

export interface BulkOptions {
  /** The cluster URL (the `_bulk` path is added) or the full `_bulk` endpoint. */
  url: string;
  /** Index name template, e.g. hel-%Y.%m.%d. */
  index: string;
  now: () => number;
}

/** Elasticsearch refuses longer document ids. */
const MAX_ID_BYTES = 512;

/**
 * The document id of a line: its source and dedupe id, so a re-sent event is refused as a
 * duplicate (409) while equal ids of two different sources never collide. Undefined without dedupe.
 */
export function documentId(line: OutLine): string | undefined {
  if (line.id === undefined) return undefined;
  const id = `${line.source}:${line.id}`;
  return Buffer.byteLength(id) <= MAX_ID_BYTES ? id : `sha256:${createHash('sha256').update(id).digest('base64url')}`;
}

interface BulkItem {
  status?: number;
  _id?: string;
  _index?: string;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

/** "failed to parse field [user.id] of type [long]…" → user.id */
function fieldOf(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  return /(?:field|mapper|mapping for) \[([^\]]+)\]/.exec(reason)?.[1];
}

function itemError(item: BulkItem, line: OutLine): HelError {
  const type = item.error?.type ?? `HTTP ${item.status}`;
  const reason = item.error?.reason ?? item.error?.caused_by?.reason ?? 'no reason given';
  const field = fieldOf(item.error?.reason) ?? fieldOf(item.error?.caused_by?.reason);
  const where = field === undefined ? '' : ` on field [${field}]`;
  const hint =
    item.status === 400
      ? `the index mapping does not fit this event${field === undefined ? '' : `'s field ${field}`}: fix the mapping or index template of ${item._index ?? 'the index'} (or map the field as keyword/object), then restart; the cursor stays before this event`
      : item.status === 403 || item.status === 401
        ? 'the user or API key may not write to this index: it needs the create_doc (or create / write) privilege on it'
        : item.status === 404
          ? 'the index does not exist and may not be created: create it or allow auto-creation for this name'
          : 'see the Elasticsearch error type; the cursor stays before this event';
  return new HelError(
    'HEL_OUTPUT',
    `Elasticsearch refused event ${line.id ?? '(no id)'} of source ${line.source} in index ${item._index ?? '?'}: ${item.status} ${type}${where}: ${reason.slice(0, 300)}`,
    { status: item.status, hint },
  );
}

/**
 * Elasticsearch / OpenSearch `_bulk` with `create` actions: a document id that exists answers
 * 409 per item, which counts as a duplicate. Per item: 429 and 5xx are sent again, any other
 * error stops delivery with the item's reason.
 */
export function elasticsearchBulkFormat(options: BulkOptions): HttpFormat {
  const url = new URL(options.url);
  if (!url.pathname.endsWith('/_bulk')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/_bulk`;
  const indexOf = indexNamer(options.index, options.now);
  return {
    defaultScheme: 'ApiKey',
    url: url.toString(),
    encode(lines) {
      const parts: Buffer[] = [];
      for (const line of lines) {
        const id = documentId(line);
        const action = id === undefined ? { create: { _index: indexOf(line.time) } } : { create: { _index: indexOf(line.time), _id: id } };
        parts.push(Buffer.from(`${JSON.stringify(action)}\n`), line.bytes);
      }
      return { headers: { 'content-type': 'application/x-ndjson' }, body: Buffer.concat(parts) };
    },
    accepted(response, lines): Accepted {
      const answer = parseAnswer(response.body) as { errors?: unknown; items?: unknown } | undefined;
      if (answer === undefined || typeof answer !== 'object' || !Array.isArray(answer.items)) {
        return {
          kind: 'rejected',
          error: new HelError('HEL_OUTPUT', `the _bulk answer is not a bulk response (${excerpt(response.body) || 'empty'})`, { hint: 'check that the URL points at Elasticsearch or OpenSearch' }),
        };
      }
      if (answer.items.length !== lines.length) {
        return {
          kind: 'rejected',
          error: new HelError('HEL_OUTPUT', `the _bulk answer has ${answer.items.length} items for ${lines.length} actions`, {
            hint: 'a proxy in front of Elasticsearch may have changed the request',
          }),
        };
      }
      if (answer.errors !== true) return { kind: 'delivered', duplicates: 0 };
      let delivered = 0;
      let duplicates = 0;
      const retry: OutLine[] = [];
      let reason = '';
      for (let i = 0; i < lines.length; i++) {
        const item = Object.values((answer.items[i] ?? {}) as Record<string, BulkItem>)[0] ?? {};
        const status = item.status ?? 0;
        if (status >= 200 && status <= 299) delivered++;
        else if (status === 409) duplicates++;
        else if (status === 429 || status >= 500) {
          retry.push(lines[i]!);
          reason ||= `${status} ${item.error?.type ?? ''}`.trim();
        } else return { kind: 'rejected', error: itemError(item, lines[i]!) };
      }
      if (retry.length === 0) return { kind: 'delivered', duplicates };
      return { kind: 'partial', delivered, duplicates, retry, reason: `${retry.length} of ${lines.length} items failed (${reason})` };
    },
    refused(status, body) {
      const answer = parseAnswer(body) as { error?: { type?: string; reason?: string } | string } | undefined;
      const error = typeof answer?.error === 'object' ? `${answer.error.type ?? ''}: ${answer.error.reason ?? ''}` : typeof answer?.error === 'string' ? answer.error : excerpt(body);
      const hint =
        status === 401
          ? 'check global.output.http.auth: basic (user/password) or bearer with an API key (sent as "ApiKey <key>")'
          : status === 403
            ? 'the user or API key lacks a privilege: it needs create_doc (or create / write) on the index'
            : status === 404
              ? 'check the URL: the cluster address, or an endpoint ending in /_bulk'
              : 'check the URL and the cluster logs';
      return { message: `Elasticsearch refused the bulk request: HTTP ${status} (${error.slice(0, 300) || 'no body'})`, hint };
    },
  };
}
