/** The seed's 1Password source (docs seed "Step 2: Configure Hel"), verbatim, to be pasted under `sources:`. */
export const SEED_SOURCE = `  1password-audit:
    url: "https://events.1password.com/api/v2/auditevents"
    method: post
    body: {}
    schedule:
      interval_secs: 300
      jitter_secs: 30
    auth:
      type: bearer
      token_env: ONEPASSWORD_EVENTS_TOKEN
    headers:
      Accept: "application/json"
      Content-Type: "application/json"
    pagination:
      strategy: cursor
      cursor_param: cursor
      cursor_path: cursor
      max_pages: 50
    resilience:
      timeout_secs: 30
      retries:
        max_attempts: 5
        initial_backoff_secs: 2
        max_backoff_secs: 60
        multiplier: 2.0
      circuit_breaker:
        enabled: true
        failure_threshold: 5
        success_threshold: 2
        half_open_timeout_secs: 60
      rate_limit:
        respect_headers: true
        page_delay_secs: 1
`;

export const SEED_CONFIG = `sources:\n${SEED_SOURCE}`;

/** An unsigned JWT shaped like a 1Password Events API token (signatures are never checked). */
export function fakeEventsToken(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'ES256', kid: 'test', typ: 'JWT' })}.${part({ sub: 'TESTSUB', '1password.com/fts': ['auditevents'], ...claims })}.c2lnbmF0dXJl`;
}

/** The 1Password source of the seed cut down to what a check needs, with `body` lines inserted at line 6. */
export function onePasswordSource(bodyLines: string): string {
  return `sources:
  1password-audit:
    url: "https://events.1password.com/api/v2/auditevents"
    method: post
    body:
${bodyLines}    auth:
      type: bearer
      token_env: ONEPASSWORD_EVENTS_TOKEN
    pagination:
      strategy: cursor
      cursor_param: cursor
      cursor_path: cursor
`;
}
