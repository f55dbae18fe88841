import type { Failure } from '../../http/failure.js';
import { streamOfUrl } from './regions.js';

const STATUS_PAGE = 'https://developer.1password.com/docs/events-api/status-codes/';

/** The Events API's own reasons for a failed request (its status-code page), per stream. */
export function onePasswordHint(f: Failure): string | undefined {
  const stream = streamOfUrl(f.url)?.stream;
  if (stream === undefined || f.status === undefined) return undefined;
  switch (f.status) {
    case 400:
      return f.carriesCursor
        ? undefined
        : 'the request body must be a JSON object: the first request uses a ResetCursor (e.g. {} or {limit, start_time}), later ones the cursor from the previous response; limit is 1-1000 and times are RFC 3339';
    case 401:
      return `the token is invalid, revoked or expired, or lacks this endpoint's feature: the token needs the ${stream} feature (Events to Report in the Events Reporting integration)`;
    case 404:
      return 'check the URL / region: the host must match the account (events.1password.com, .ca, .eu or events.ent.1password.com)';
    case 429:
      return 'rate limited: 1Password allows 600 requests/min and 30,000/h shared by all streams; set rate_limit.budget with max_requests_per_minute / max_requests_per_hour, or raise schedule.interval_secs';
    default:
      return f.status >= 500 ? `a server error; see ${STATUS_PAGE}` : undefined;
  }
}
