/** 1Password Events API hosts by account region (reference §2). */
export const REGION_HOSTS = {
  com: 'events.1password.com',
  ca: 'events.1password.ca',
  eu: 'events.1password.eu',
  ent: 'events.ent.1password.com',
} as const;

export type Region = keyof typeof REGION_HOSTS;

export function regionOfHost(host: string): Region | undefined {
  return (Object.keys(REGION_HOSTS) as Region[]).find((r) => REGION_HOSTS[r] === host.toLowerCase());
}

export function isOnePasswordUrl(url: string): boolean {
  try {
    return regionOfHost(new URL(url).hostname) !== undefined;
  } catch {
    return false;
  }
}

/** Recognises the three event streams in a URL path such as /api/v2/auditevents. */
export function streamOfUrl(url: string): { version: 'v1' | 'v2' | 'v3'; stream: 'auditevents' | 'signinattempts' | 'itemusages' } | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = /\/api\/(v1|v2)\/(auditevents|signinattempts|itemusages)\/?$/.exec(path) ?? /\/api\/(v3)\/(auditevents)\/?$/.exec(path);
  return m ? { version: m[1] as 'v1' | 'v2' | 'v3', stream: m[2] as 'auditevents' | 'signinattempts' | 'itemusages' } : undefined;
}
