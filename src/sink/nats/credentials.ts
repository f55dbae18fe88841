import { existsSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, nkeys, tokenAuthenticator, usernamePasswordAuthenticator, type Authenticator, type TlsOptions } from '@nats-io/transport-node';
import { HelError } from '../../errors.js';
import type { SecretReader } from '../../secrets/resolver.js';
import { natsSecretRefs, type NatsAuthConfig, type NatsOutputConfig } from '../../config/nats-schema.js';

const AUTH_HINT = 'check global.output.nats.auth';

/**
 * The authenticator for `auth`, with every credential read now: a missing or malformed one stops
 * Hel at start with the key to fix, and no message ever includes a credential's value.
 */
export function natsAuthenticator(auth: NatsAuthConfig, secrets: SecretReader): Authenticator {
  const values = natsSecretRefs(auth).map((r) => secrets.read(r));
  switch (auth.type) {
    case 'user_password':
      return usernamePasswordAuthenticator(values[0]!, values[1]);
    case 'token':
      return tokenAuthenticator(values[0]!);
    case 'nkey': {
      const seed = new TextEncoder().encode(values[0]);
      checkUserSeed(seed, 'the NATS NKey seed');
      return nkeyAuthenticator(seed);
    }
    case 'creds': {
      const creds = values[0]!;
      // nsc's layout: a "NATS USER JWT" block and a "USER NKEY SEED" block.
      const jwt = /-{3,}BEGIN NATS USER JWT-{3,}\s*\n\s*(\S+)\s*\n/.exec(creds);
      const seed = /-{3,}BEGIN USER NKEY SEED-{3,}\s*\n\s*(\S+)\s*\n/.exec(creds);
      if (!jwt || !seed) {
        throw new HelError('HEL_SECRET', 'the NATS creds file has no user JWT and NKey seed blocks', {
          hint: 'use the .creds file `nsc generate creds` writes (BEGIN NATS USER JWT … BEGIN USER NKEY SEED)',
        });
      }
      checkUserSeed(new TextEncoder().encode(seed[1]), 'the seed in the NATS creds file');
      // The client's parser needs the newline after the last block, which reading the file trimmed.
      return credsAuthenticator(new TextEncoder().encode(`${creds}\n`));
    }
  }
}

function checkUserSeed(seed: Uint8Array, what: string): void {
  let publicKey: string;
  try {
    publicKey = nkeys.fromSeed(seed).getPublicKey();
  } catch {
    throw new HelError('HEL_SECRET', `${what} is not a valid NKey seed`, { hint: `${AUTH_HINT}: a user seed starts with SU (nsc or \`nk -gen user\` writes one)` });
  }
  if (!publicKey.startsWith('U')) {
    throw new HelError('HEL_SECRET', `${what} is not a user seed`, { hint: `${AUTH_HINT}: a user seed starts with SU; operator (SO) and account (SA) seeds cannot connect` });
  }
}

/** The client's TLS options for `tls`, or undefined without the block; the files must exist. */
export function natsTls(tls: NatsOutputConfig['tls']): TlsOptions | undefined {
  if (tls === undefined) return undefined;
  for (const [key, path] of [
    ['ca_file', tls.ca_file],
    ['cert_file', tls.cert_file],
    ['key_file', tls.key_file],
  ] as const) {
    if (path !== undefined && !existsSync(path)) throw new HelError('HEL_USAGE', `global.output.nats.tls.${key}: ${path} does not exist`, { hint: 'give the path of a PEM file' });
  }
  return { caFile: tls.ca_file, certFile: tls.cert_file, keyFile: tls.key_file };
}
