import { STATUS_CODES } from 'node:http';
import { serverMessage } from '../../http/failure.js';
import type { HttpFormat } from './format.js';

/** Plain NDJSON POST: the lines as they are; any 2xx acknowledges the whole batch. */
export function ndjsonFormat(url: string): HttpFormat {
  return {
    defaultScheme: 'Bearer',
    url,
    encode: (lines) => ({ headers: { 'content-type': 'application/x-ndjson' }, body: Buffer.concat(lines.map((l) => l.bytes)) }),
    accepted: () => ({ kind: 'delivered', duplicates: 0 }),
    refused(status, body) {
      const said = serverMessage(body);
      const message = `the receiver refused the batch: HTTP ${status} ${STATUS_CODES[status] ?? ''}${said ? ` ("${said}")` : ''}`.trim();
      const hint =
        status === 401 || status === 403
          ? 'check global.output.http.auth (or headers) against what the receiver expects'
          : status === 404 || status === 405
            ? 'check the URL given to --output / global.output.http.url'
            : 'the receiver does not accept this NDJSON; check its logs, the URL and global.output.http.headers';
      return { message, hint };
    },
  };
}
