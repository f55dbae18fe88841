import type { HelError } from '../../errors.js';
import type { OutLine } from './lines.js';
import type { PostResponse } from './post.js';

/** What a receiver's 2xx answer to one batch means. */
export type Accepted =
  /** Every line is stored; `duplicates` of them were already there (bulk 409). */
  | { kind: 'delivered'; duplicates: number }
  /** Received, and stored once the receiver's acknowledgement for `ackId` comes (Splunk HEC). */
  | { kind: 'ack'; ackId: number }
  /** Some lines are stored (`delivered`, `duplicates`); `retry` must be sent again. */
  | { kind: 'partial'; delivered: number; duplicates: number; retry: OutLine[]; reason: string }
  /** The receiver refuses a line for good (a mapping error): delivery cannot go on. */
  | { kind: 'rejected'; error: HelError };

/** One wire format of the HTTP sink: how a batch is sent and how the answer is read. */
export interface HttpFormat {
  /** Authorization scheme used when auth.prefix is not set. */
  readonly defaultScheme: string;
  /** Where batches go, derived from the configured URL. */
  readonly url: string;
  /** The request body and its format headers (content type, channel). */
  encode(lines: readonly OutLine[]): { headers: Record<string, string>; body: Buffer };
  /** Reads a 2xx answer. */
  accepted(response: PostResponse, lines: readonly OutLine[]): Accepted;
  /** Message and fix for a status that is not retried (4xx other than 408, 413 and 429). */
  refused(status: number, body: Buffer): { message: string; hint: string };
}

/** A short, single-line excerpt of a receiver's answer for error messages. */
export function excerpt(body: Buffer, max = 200): string {
  return body
    .toString('utf8', 0, Math.min(body.length, max * 2))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

/** Parses a JSON answer; undefined when it is not JSON. */
export function parseAnswer(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
