/**
 * The one core interface of the request path (undici's model): a transport sends one request and
 * returns the whole response. Auth, retries, rate limits, budgets, recording and replay are small
 * wrappers that take a transport and return one, so they compose in any order.
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered (after any redirect). */
  url: string;
  /** The body's JSON value, once the retry wrapper has parsed it (a 2xx that is not JSON is retried). */
  parsed?: unknown;
}

/** Per-request context that wrappers read and extend (for error messages, logs and metrics). */
export interface RequestContext {
  source: string;
  signal: AbortSignal;
  /** 1-based page index within the current poll. */
  page: number;
  /** Set by the retry wrapper: 1-based attempt number. */
  attempt?: number;
  /** Set by the paginator when the request continues from a cursor, so a 400 is explained as a rejected cursor. */
  carriesCursor?: boolean;
  /** Set by JS hooks when buildRequest shaped the request: the hook supplies the credentials, the configured auth is not added (as in Helr). */
  hookCredentials?: boolean;
  /** Set by JS hooks when parseResponse reads the body: a 2xx that is not JSON is its to read (as text), not retried. */
  textBody?: boolean;
}

export interface HttpTransport {
  /** Sends one request. Throws HelError (HEL_NETWORK, HEL_TIMEOUT, HEL_HTTP_STATUS, HEL_CANCELLED, ...). */
  send(request: HttpRequest, context: RequestContext): Promise<HttpResponse>;
}

/** What the request path reports on the runtime's event bus (src/bus): each event's name and payload. URLs are redacted. */
export interface TransportEventMap {
  /** A response arrived (any status), `durationMs` after the request was sent. */
  'http.response': { source: string; status: number; durationMs: number; url: string };
  /** A failed attempt will be sent again after `delayMs`; `reason` is the troubleshooting line. */
  'http.retry': { source: string; attempt: number; delayMs: number; reason: string; url: string };
  /** The API imposed a wait: a 429, a rate-limit 403 or exhausted rate-limit headers. */
  'http.rate_limited': { source: string; delayMs: number; url: string };
  /** The retry wrapper gave up on a request. */
  'http.error': { source: string; code: string; url: string };
}
