import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MockCommand } from '../integration.js';
import { startGoogleFake } from './fake.js';

/** `hel mock google_workspace`: the fake Reports API and token endpoint, with its service account keys written to files. */
export const googleMockCommand: MockCommand = {
  description: 'fake Google Workspace Reports API (activities newest first, pageToken, JWT-bearer token endpoint with domain-wide delegation, 429 rateLimitExceeded)',
  options: [
    { flags: '--events <n>', description: 'backlog per application, spread over the last 48 hours', default: '200' },
    { flags: '--rate-limit <n>', description: 'queries per minute per delegated user before 429', default: '2400' },
    { flags: '--credentials-dir <dir>', description: 'where to write the service account JSON keys (default: a new temporary directory)' },
  ],
  async start(opts, log) {
    const fake = await startGoogleFake({
      port: Number(opts.port),
      host: String(opts.host),
      events: Number(opts.events),
      rateLimit: Number(opts.rateLimit),
      ...(log ? { onRequest: log } : {}),
    });
    const dir = opts.credentialsDir === undefined ? mkdtempSync(join(tmpdir(), 'hel-google-mock-')) : String(opts.credentialsDir);
    mkdirSync(dir, { recursive: true });
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    };
    const good = write('service-account.json', fake.credentials.good);
    const revoked = write('deleted-key.json', fake.credentials.revoked);
    const scoped = write('directory-only.json', fake.credentials.underScoped);
    return {
      url: fake.url,
      banner: [
        `Google Workspace Reports API fake listening on ${fake.url} (token endpoint ${fake.url}/token)`,
        `service account key: ${good}`,
        `  (a deleted key: ${revoked}; delegated without the Reports scope: ${scoped})`,
        `delegated admin: ${fake.admin}   (not an admin: ${fake.user})`,
        '',
        'try it:',
        `  export GWS_DELEGATED_USER=${fake.admin}`,
        `  # hel.yaml:  sources: { gws: { type: google_workspace, base_url: ${fake.url}, credentials_file: ${good} } }`,
      ],
      close: () => fake.close(),
    };
  },
};
