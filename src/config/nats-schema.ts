import { z } from 'zod';
import { looksLikeCredential } from './show-value.js';
import { ref, type SecretRef } from './secret-refs.js';

/** A credential of the NATS connection: an env variable, a file or a `hel secrets` name (`<prefix>_env|_file|_secret`). */
function credential<P extends string>(prefix: P) {
  return {
    [`${prefix}_env`]: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, _)')
      .refine((name) => !looksLikeCredential(name), 'an environment variable name: this looks like a credential pasted in by mistake; put it in a variable and name the variable here')
      .optional(),
    [`${prefix}_file`]: z.string().min(1).optional(),
    [`${prefix}_secret`]: z.string().min(1).optional(),
  } as Record<`${P}_env` | `${P}_file` | `${P}_secret`, z.ZodOptional<z.ZodString>>;
}

/** How Hel authenticates to nats-server: the mechanisms of the official client. */
const natsAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user_password'), ...credential('user'), ...credential('password') }),
  z.strictObject({ type: z.literal('token'), ...credential('token') }),
  /** An NKey user seed (`SU…`): the server sends a nonce, the client signs it. */
  z.strictObject({ type: z.literal('nkey'), ...credential('seed') }),
  /** A creds file as `nsc` writes it: the user JWT and its NKey seed (decentralized auth). */
  z.strictObject({ type: z.literal('creds'), ...credential('creds') }),
]);

export type NatsAuthConfig = z.output<typeof natsAuthSchema>;

/** The credentials `global.output.nats.auth` names, in the order they are read. */
export function natsSecretRefs(auth: NatsAuthConfig): SecretRef[] {
  const block = auth as unknown as Record<string, unknown>;
  switch (auth.type) {
    case 'user_password':
      return [ref('NATS user', 'user', block), ref('NATS password', 'password', block)];
    case 'token':
      return [ref('NATS token', 'token', block)];
    case 'nkey':
      return [ref('NATS NKey seed', 'seed', block)];
    case 'creds':
      return [ref('NATS creds file', 'creds', block)];
  }
}

/** TLS to nats-server: with this block the connection must be TLS. */
const natsTlsSchema = z
  .strictObject({
    /** PEM CA bundle that signed the server's certificate (a private CA); the system's CAs otherwise. */
    ca_file: z.string().min(1).optional(),
    /** Client certificate and key (PEM) for servers that verify clients (`verify: true`). */
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
  })
  .refine((tls) => (tls.cert_file === undefined) === (tls.key_file === undefined), { message: 'cert_file and key_file go together (a client certificate needs its key)', path: ['cert_file'] });

/** `global.output.nats`: where and how `--output nats://…` publishes. */
export const natsOutputSchema = z.strictObject({
  /** Subject template; `{source}` becomes the source name. Overrides the subject in the --output URL (as in Helr). */
  subject: z.string().min(1).optional(),
  /** JetStream stream that must capture the subject; created when missing. */
  stream: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'a stream name of letters, digits, _ -')
    .default('HEL'),
  /** When false, a missing stream is an error instead of being created. */
  create_stream: z.boolean().default(true),
  /** The duplicate window of a stream Hel creates: a re-sent event with the same Nats-Msg-Id inside it is dropped. */
  duplicate_window_secs: z.number().positive().default(600),
  /** How long one publish waits for its PubAck before the delivery counts as failed (and is retried). */
  timeout_secs: z.number().positive().default(10),
  auth: natsAuthSchema.optional(),
  tls: natsTlsSchema.optional(),
});

export type NatsOutputConfig = z.output<typeof natsOutputSchema>;

/** The subject when neither the URL nor the config names one: one subject per source. */
export const DEFAULT_SUBJECT = 'hel.events.{source}';
