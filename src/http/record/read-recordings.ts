import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HelError } from '../../errors.js';
import { readBoundedFile } from '../../read-bounded.js';
import { MAX_RECORDING_BYTES } from './format.js';
import { RECORDING_FORMAT, seqOfFileName, type Recording } from './format.js';

/** A source's recordings in recorded order; undefined when the source has no folder. */
export function readRecordings(folder: string, source: string): Recording[] | undefined {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HelError('HEL_INPUT', `cannot read the recordings in ${folder} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { source });
  }
  const recordings: Recording[] = [];
  for (const name of names) {
    if (seqOfFileName(name) !== undefined) recordings.push(readRecording(join(folder, name), source));
  }
  return recordings.sort((a, b) => a.seq - b.seq);
}

function readRecording(path: string, source: string): Recording {
  let data: unknown;
  try {
    data = JSON.parse(readBoundedFile(path, MAX_RECORDING_BYTES).toString('utf8'));
  } catch (err) {
    throw new HelError('HEL_INPUT', `the recording ${path} is not readable JSON (${(err as Error).message})`, { source, hint: 're-record with --record-dir' });
  }
  if (!isRecording(data)) {
    throw new HelError('HEL_INPUT', `${path} is not a ${RECORDING_FORMAT} recording`, { source, hint: 're-record with --record-dir' });
  }
  return data;
}

function isRecording(data: unknown): data is Recording {
  const r = data as Partial<Recording> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.format === RECORDING_FORMAT &&
    typeof r.seq === 'number' &&
    typeof r.request?.method === 'string' &&
    typeof r.request.url === 'string' &&
    typeof r.request.bodyEncoding === 'string' &&
    typeof r.response?.status === 'number' &&
    typeof r.response.headers === 'object' &&
    typeof r.response.bodyEncoding === 'string'
  );
}
