import type { z } from 'zod';
import type { ResolvedSource } from '../config/resolved.js';
import type { SourceConfig } from '../config/schema.js';
import type { Advisor, Failure } from '../http/failure.js';
import type { SecretReader } from '../secrets/resolver.js';
import type { SecretRef } from '../config/secret-refs.js';
import type { HttpResponse } from '../http/transport.js';
import type { EventMappings } from '../pipeline/mappings.js';

/**
 * One SaaS integration (1Password, Okta, GitHub…) as a plug-in. The generic layers (config, engine,
 * CLI, troubleshooting, secrets) know integrations only through this interface and the registry;
 * everything vendor-specific lives in src/integrations/<vendor>/.
 */
export interface Integration<Short = unknown> {
  /** The short form's `type:` value, e.g. `okta`. Also the `integration` of every source it owns. */
  readonly type: string;
  /** Human name of the API, e.g. "Okta System Log". */
  readonly title: string;
  /** The zod schema of the short form (`type: <type>` plus its keys). */
  readonly schema: z.ZodType<Short>;
  /** Turns one short-form entry into ready sources; reports problems against the entry's keys. */
  expand(name: string, config: Short, ctx: ExpandContext): Expansion;
  /** Whether a source written out in full (with `url:`) calls this vendor's API. */
  owns?: (source: SourceConfig) => boolean;
  /** Defaults for a source it owns that the user did not set (dedupe key, event time, budget). */
  applyDefaults?: (source: ResolvedSource) => ResolvedSource;
  /** Semantic checks of a source it owns, before any request (no network). */
  check?: (source: ResolvedSource, now: number) => SourceProblem[];
  /** Non-fatal notes about a source it owns (validate prints them, run logs them). */
  warnings?: (source: ResolvedSource, now: number) => string[];
  /** A vendor-specific hint for a failed request, or undefined to keep the generic one. */
  troubleshoot?: (failure: Failure) => string | undefined;
  /** The hint when a credential of a source it owns is missing. */
  missingSecretHint?: (ref: SecretRef) => string;
  /** When a credential of this vendor expires, if the credential says so (e.g. a JWT's `exp`). */
  tokenExpiry?: (token: string) => Date | undefined;
  /** Hints for an out-of-range value of a short-form key (by key), e.g. a region name. */
  readonly keyHints?: Readonly<Record<string, string>>;
  /** Printed by `hel test` when a poll returned no events: the vendor's usual reasons. */
  readonly noEventsHint?: string;
  /** Loaded on demand: the connection test brings an HTTP client. */
  connectionTest?: () => Promise<ConnectionTest>;
  /** `hel mock <type>`: a loopback fake of the vendor's API. */
  readonly mock?: MockCommand;
  /** Output mappings of this vendor's events per format (OCSF, ECS), when it has them (pipeline/mappings.ts). */
  readonly mappings?: EventMappings;
}

export interface ExpandContext {
  env: NodeJS.ProcessEnv;
  globalLabelKey: string;
  /** Off for replay, which sends no credentials. */
  requireSecrets: boolean;
  /** The loader's resolver: the only way an expansion reads a credential. */
  secrets: SecretReader;
  now: () => number;
}

export interface SourceProblem {
  /** Key path relative to the source (or, for an expansion, to the short-form entry). */
  path: (string | number)[];
  message: string;
  hint?: string;
}

interface Expansion {
  sources: ResolvedSource[];
  issues: SourceProblem[];
  warnings: string[];
}

/** One line of a connection test, as `hel test` and `hel validate --online` print it. */
export interface CheckLine {
  level: 'ok' | 'info' | 'warn' | 'fail';
  text: string;
}

export type ProbeResult = { ok: true; response: HttpResponse } | { ok: false; status?: number; message: string; hint?: string };

/**
 * One GET through the source's own auth, without retries: what a connection test sends to see
 * whether the credential is accepted and may read the endpoint. The CLI hands it in (src/app/probe.ts
 * builds it on the source's transport chain), so an integration never imports the wiring.
 */
export type Probe = (source: ResolvedSource, url: string, signal: AbortSignal, advise?: Advisor) => Promise<ProbeResult>;

type ConnectionTest = (source: ResolvedSource, secrets: SecretReader, now: number, signal: AbortSignal, probe: Probe) => Promise<CheckLine[]>;

/** A CLI option of `hel mock <type>` (commander syntax). */
interface MockOption {
  flags: string;
  description: string;
  default?: string;
}

interface RunningMock {
  url: string;
  /** What the banner prints after the URL: token, environment, a hel.yaml snippet, a curl line. */
  banner: string[];
  close(): Promise<void>;
}

export interface MockCommand {
  description: string;
  options: MockOption[];
  /** Starts the fake; `options` are commander's parsed values (camelCase keys). */
  start(options: Record<string, string | boolean | undefined>, log: ((line: string) => void) | undefined): Promise<RunningMock>;
}
