/**
 * Whether a server's answer to a request that carried a stored position means "this cursor is no
 * longer valid" (what `on_cursor_error` acts on), as the Rust Hel reads it: a 410 Gone, or a 4xx
 * whose body says the cursor (page token) expired or is invalid. A 400 to such a request counts
 * too: for 1Password and most cursor APIs it is the answer to a stale cursor. Auth and rate-limit
 * statuses never do, whatever their body says.
 */
export function rejectsCursor(status: number, body: Buffer | undefined): boolean {
  if (status === 400 || status === 410) return true;
  if (status < 400 || status > 499 || NOT_ABOUT_THE_CURSOR.has(status) || body === undefined) return false;
  const text = body.subarray(0, 4096).toString('utf8');
  return NAMES_CURSOR.test(text) && SAYS_STALE.test(text);
}

const NOT_ABOUT_THE_CURSOR = new Set([401, 403, 407, 408, 429]);
const NAMES_CURSOR = /cursor|page[_ -]?token|pagination|continuation/i;
const SAYS_STALE = /expired|invalid|not valid|unknown|malformed|no longer|too old/i;
