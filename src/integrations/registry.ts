import type { SourceConfig } from '../config/schema.js';
import type { SourceIntegration } from '../config/resolved.js';
import type { Integration } from './integration.js';
import { github } from './github/index.js';
import { googleWorkspace } from './google-workspace/index.js';
import { okta } from './okta/index.js';
import { onePassword } from './onepassword/index.js';
import { slack } from './slack/index.js';
import { tailscale } from './tailscale/index.js';

/**
 * Every integration Hel knows, one line each. The only module that imports from an integration's
 * folder (test/integrations/boundaries.test.ts checks it). Built at load: nothing an integration
 * imports consults the registry (the import-x/no-cycle lint rule keeps it so).
 */
const KNOWN: readonly Integration[] = [onePassword, okta, github, slack, tailscale, googleWorkspace];

export function integrations(): readonly Integration[] {
  return KNOWN;
}

export function integrationNamed(type: string): Integration | undefined {
  return integrations().find((i) => i.type === type);
}

/** The integration a resolved source belongs to (by the type it carries, never by its URL). */
export function integrationOf(source: { integration?: SourceIntegration }): Integration | undefined {
  return source.integration === undefined ? undefined : integrationNamed(source.integration.type);
}

/** The integration that recognises a source written out in full, if any. */
export function integrationOwning(source: SourceConfig): Integration | undefined {
  return integrations().find((i) => i.owns?.(source) === true);
}

/** The expiry a credential states about itself, as the first integration that understands it reads it. */
export function tokenExpiry(token: string): Date | undefined {
  for (const integration of integrations()) {
    const expiry = integration.tokenExpiry?.(token);
    if (expiry !== undefined) return expiry;
  }
  return undefined;
}
