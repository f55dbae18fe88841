import type { ServerResponse } from 'node:http';

export type Headers = Record<string, string>;

/** The error shape seen on the live API (reference §13.2). */
export function errorBody(message: string): string {
  return JSON.stringify({ Error: { Message: message } });
}

/**
 * Writes a complete response, or, when `stallMs` is set, the headers and half the body, then the
 * rest after the stall (a client's body-read timeout should fire in between).
 */
export function send(res: ServerResponse, status: number, body: string, headers: Headers, stallMs: number | undefined, timers: Set<NodeJS.Timeout>): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers });
  if (stallMs === undefined || bytes.length < 2) {
    res.end(bytes);
    return;
  }
  const half = Math.floor(bytes.length / 2);
  res.write(bytes.subarray(0, half));
  const timer = setTimeout(() => {
    timers.delete(timer);
    if (!res.destroyed) res.end(bytes.subarray(half));
  }, stallMs);
  timers.add(timer);
  res.on('close', () => {
    clearTimeout(timer);
    timers.delete(timer);
  });
}
