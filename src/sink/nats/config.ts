import { z } from 'zod';

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
});

export type NatsOutputConfig = z.output<typeof natsOutputSchema>;

/** The subject when neither the URL nor the config names one: one subject per source. */
export const DEFAULT_SUBJECT = 'hel.events.{source}';
