import { randomBytes } from 'node:crypto';
import { nkeys } from '@nats-io/transport-node';

type KeyPair = ReturnType<typeof nkeys.createOperator>;

/**
 * A NATS JWT as nsc issues them: header `ed25519-nkey`, claims signed with the issuer's NKey. jose
 * has no `ed25519-nkey` algorithm, and the format is three base64url parts, so this test fixture
 * builds them directly.
 */
function natsJwt(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = part({ typ: 'JWT', alg: 'ed25519-nkey' });
  const body = part({ jti: randomBytes(16).toString('hex').toUpperCase(), iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(), sub: subject, name, nats: { ...nats, version: 2 } });
  const signature = Buffer.from(issuer.sign(new TextEncoder().encode(`${head}.${body}`))).toString('base64url');
  return `${head}.${body}.${signature}`;
}

const UNLIMITED = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };

export interface OperatorMode {
  /** nats-server configuration: the operator, the system account and a JetStream account, preloaded. */
  config: string;
  /** A .creds file (user JWT + seed, nsc's layout) of a user of the JetStream account. */
  creds: string;
  /** The user's seed, to check it is never shown. */
  userSeed: string;
}

/** Decentralized (JWT) auth for a throwaway nats-server: an operator, its accounts and one user. */
export function operatorMode(): OperatorMode {
  const operator = nkeys.createOperator();
  const system = nkeys.createAccount();
  const account = nkeys.createAccount();
  const user = nkeys.createUser();
  const operatorJwt = natsJwt(operator, operator.getPublicKey(), 'hel-test-operator', { type: 'operator' });
  const systemJwt = natsJwt(operator, system.getPublicKey(), 'SYS', { type: 'account', limits: UNLIMITED });
  const accountJwt = natsJwt(operator, account.getPublicKey(), 'audit', { type: 'account', limits: { ...UNLIMITED, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 } });
  const userJwt = natsJwt(account, user.getPublicKey(), 'hel', { type: 'user', pub: {}, sub: {}, subs: -1, data: -1, payload: -1 });
  const userSeed = new TextDecoder().decode(user.getSeed());
  return {
    config: [
      `operator: "${operatorJwt}"`,
      `system_account: ${system.getPublicKey()}`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  ${system.getPublicKey()}: "${systemJwt}"`,
      `  ${account.getPublicKey()}: "${accountJwt}"`,
      '}',
      '',
    ].join('\n'),
    creds: `-----BEGIN NATS USER JWT-----\n${userJwt}\n------END NATS USER JWT------\n\n************************* IMPORTANT *************************\nNKEY Seed printed below can be used to sign and prove identity.\n\n-----BEGIN USER NKEY SEED-----\n${userSeed}\n------END USER NKEY SEED------\n`,
    userSeed,
  };
}
