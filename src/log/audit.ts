import { createHash } from 'node:crypto';
import type { AuditConfig } from '../config/operations-schema.js';
import type { SecretRef } from '../config/secret-refs.js';
import type { Logger } from './logger.js';

/** Helr's `kind` names for the credentials of an auth block, by key prefix. */
const KIND_BY_PREFIX: Record<string, string> = {
  token: 'bearer_token',
  key: 'api_key',
  user: 'basic_user',
  password: 'basic_password',
  client_id: 'oauth2_client_id',
  client_secret: 'oauth2_client_secret',
  refresh_token: 'oauth2_refresh_token',
  client_private_key: 'oauth2_client_private_key',
  'global.state.url': 'state_url',
};

/** The kind of credential a reference reads, in Helr's words (`bearer_token`, `oauth2_client_secret`, ...). */
function credentialKind(ref: SecretRef): string {
  return KIND_BY_PREFIX[ref.prefix] ?? ref.prefix.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}

/** Where a credential was read from, naming the variable, file or stored secret; never the value. */
function origin(ref: SecretRef): { from: 'file' | 'env' | 'secret' | 'none'; name?: string } {
  if (ref.file !== undefined) return { from: 'file', name: ref.file };
  if (ref.env !== undefined) return { from: 'env', name: ref.env };
  if (ref.secret !== undefined) return { from: 'secret', name: ref.secret };
  return { from: 'none' };
}

/**
 * `global.audit`: one log line (`"audit": true`) when a credential is read and when the config is
 * loaded, reloaded or a reload is refused. Lines name things (source, kind, variable, path, the
 * file's SHA-256); they never carry a secret value. The settings follow a reload.
 */
export class AuditLog {
  private readonly logger: Logger;

  /** Audit lines are written at info even when log_level is warn or error: turning audit on is asking for them. */
  constructor(
    logger: Logger,
    private settings: AuditConfig,
  ) {
    this.logger = logger.child({}, { level: logger.level === 'silent' ? 'silent' : 'info' });
  }

  configure(settings: AuditConfig): void {
    this.settings = settings;
  }

  private get credentials(): boolean {
    return this.settings.enabled && this.settings.log_credential_access;
  }

  private get configChanges(): boolean {
    return this.settings.enabled && this.settings.log_config_changes;
  }

  credentialRead(source: string, ref: SecretRef): void {
    if (!this.credentials) return;
    const where = origin(ref);
    this.logger.info({ audit: true, source, kind: credentialKind(ref), from: where.from, ref: where.name }, 'audit: credential accessed');
  }

  configLoaded(path: string, text: string): void {
    if (this.configChanges) this.logger.info({ audit: true, path, sha256: sha256(text) }, 'audit: config loaded');
  }

  configReloaded(path: string, text: string, changes: Record<string, string[]>): void {
    if (this.configChanges) this.logger.info({ audit: true, path, sha256: sha256(text), ...changes }, 'audit: config reloaded');
  }

  configRejected(path: string, reason: string): void {
    if (this.configChanges) this.logger.warn({ audit: true, path, reason }, 'audit: config reload rejected');
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
