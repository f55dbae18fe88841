import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { HelError } from '../../errors.js';
import { subjectCovers } from './subject.js';

export interface StreamWanted {
  name: string;
  /** The subject filter every published subject falls under. */
  filter: string;
  create: boolean;
  duplicateWindowMs: number;
}

/**
 * Makes sure the stream exists and captures our subjects; creates it (file storage) when missing
 * and allowed. An existing stream is never changed: a mismatch is a configuration error.
 * Returns the duplicate window in force, which bounds exactly-once after a restart.
 */
export async function ensureStream(jsm: JetStreamManager, wanted: StreamWanted, where: string): Promise<{ duplicateWindowMs: number; created: boolean }> {
  let info = await streamInfo(jsm, wanted.name);
  let created = false;
  if (info === undefined) {
    if (!wanted.create) {
      throw new HelError('HEL_OUTPUT', `the JetStream stream ${wanted.name} does not exist on ${where}`, {
        hint: `create it with subjects [${wanted.filter}], or set global.output.nats.create_stream: true`,
      });
    }
    try {
      info = await jsm.streams.add({ name: wanted.name, subjects: [wanted.filter], duplicate_window: wanted.duplicateWindowMs * 1_000_000 });
      created = true;
    } catch (err) {
      // Another hel may have created it a moment ago.
      info = await streamInfo(jsm, wanted.name);
      if (info === undefined) throw outputError(`could not create the JetStream stream ${wanted.name} on ${where}`, err);
    }
  }
  if (!info.config.subjects?.some((s) => subjectCovers(s, wanted.filter))) {
    throw new HelError('HEL_OUTPUT', `the JetStream stream ${wanted.name} on ${where} does not capture ${wanted.filter} (its subjects: ${(info.config.subjects ?? []).join(', ') || 'none'})`, {
      hint: 'add the subject to the stream, or choose another stream with global.output.nats.stream',
    });
  }
  return { duplicateWindowMs: Math.round(info.config.duplicate_window / 1_000_000), created };
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw outputError(`could not read the JetStream stream ${name}`, err);
  }
}

/** A refusal by the JetStream API is a configuration problem; anything else (timeout, no responders) may pass. */
function outputError(message: string, cause: unknown): HelError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const code = cause instanceof JetStreamApiError ? 'HEL_OUTPUT' : 'HEL_OUTPUT_UNAVAILABLE';
  return new HelError(code, `${message}: ${reason}`, { hint: 'check that nats-server runs with JetStream enabled (-js) and that this user may manage streams' }, { cause });
}
