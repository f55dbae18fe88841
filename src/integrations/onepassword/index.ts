import type { SourceConfig } from '../../config/schema.js';
import { bodyFields } from '../../http/request.js';
import { onePasswordSourceSchema, type OnePasswordSourceConfig } from './schema.js';
import type { Integration } from '../integration.js';
import { checkOnePasswordBody, retentionWarning } from './body.js';
import { applyOnePasswordDefaults, expandOnePassword, isOnePasswordSource } from './expand.js';
import { decodeEventsToken } from './jwt.js';
import { onePasswordMockCommand } from './mock-command.js';
import { onePasswordMappings } from './mappings.js';
import { isOnePasswordUrl, streamOfUrl } from './regions.js';
import { onePasswordHint } from './troubleshoot.js';

declare module '../../config/resolved.js' {
  interface ResolvedSource {
    /** Set when the source came from a `type: onepassword` entry (`account` when from its `accounts:`). */
    onepassword?: { entry: string; stream: string; apiVersion: 'v1' | 'v2' | 'v3'; account?: string };
  }
}

/** 1Password Events API: audit events, sign-in attempts and item usages (v1/v2). */
export const onePassword: Integration<OnePasswordSourceConfig> = {
  type: 'onepassword',
  title: '1Password Events API',
  schema: onePasswordSourceSchema,
  expand(name, config, ctx) {
    const expanded = expandOnePassword(name, config, ctx);
    return {
      ...expanded,
      sources: expanded.sources.map((s) => ({
        ...s,
        integration: { type: 'onepassword', entry: name, stream: s.onepassword?.stream, ...(s.onepassword?.account === undefined ? {} : { account: s.onepassword.account }) },
      })),
    };
  },
  owns: (source: SourceConfig) => isOnePasswordUrl(source.url) || streamOfUrl(source.url) !== undefined,
  applyDefaults: (source) => {
    const withDefaults = applyOnePasswordDefaults(source);
    return { ...withDefaults, integration: { type: 'onepassword', ...source.integration, stream: streamOfUrl(source.url)?.stream } };
  },
  check: (source) => [
    ...(source.method === 'post' ? checkOnePasswordBody(bodyFields(source)).map((p) => ({ ...p, path: ['body', ...p.path] })) : []),
    ...(source.pagination.strategy === 'cursor' && source.pagination.on_missing_cursor === 'keep' && isOnePasswordSource(source)
      ? [
          {
            path: ['pagination', 'on_missing_cursor'],
            message: 'must be fail for the 1Password Events API',
            hint: 'every 1Password page carries a cursor, so a missing one is an anomaly: remove on_missing_cursor',
          },
        ]
      : []),
  ],
  warnings: (source, now) => {
    const old = source.method === 'post' ? retentionWarning(bodyFields(source).start_time, now) : undefined;
    return old === undefined ? [] : [old];
  },
  troubleshoot: onePasswordHint,
  missingSecretHint: () => 'export the bearer token from your Events Reporting integration',
  tokenExpiry: (token) => {
    const exp = decodeEventsToken(token)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
  },
  keyHints: {
    region: 'the end of your sign-in address: start.1password.com is com, .ca is ca, .eu is eu, ent.1password.com is ent',
    limit: 'the Events API accepts 1-1000 and answers 400 otherwise; use limit: 1000 for the fewest requests',
  },
  noEventsHint:
    'a first request without start_time covers only the last hour; set start_time to backfill (an older one starts at the oldest retained event, 120 days back). Item usage can arrive minutes late (client sync). The saved cursor continues from here next time.',
  connectionTest: async () => (await import('./connection-test.js')).checkOnePasswordConnection,
  mock: onePasswordMockCommand,
  mappings: onePasswordMappings,
};
