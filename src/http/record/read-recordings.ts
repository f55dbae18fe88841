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
    const seq = seqOfFileName(name);
    if (seq !== undefined) recordings.push(readRecording(join(folder, name), source, seq));
  }
  return recordings.sort((a, b) => a.seq - b.seq);
}

function readRecording(path: string, source: string, seq: number): Recording {
  let data: unknown;
  try {
    data = JSON.parse(readBoundedFile(path, MAX_RECORDING_BYTES).toString('utf8'));
  } catch (err) {
    throw new HelError('HEL_INPUT', `the recording ${path} is not readable JSON (${(err as Error).message})`, { source, hint: 're-record with --record-dir' });
  }
  const helr = fromHelr(data, source, seq);
  if (helr !== undefined) return helr;
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

/**
 * A file of Helr's --record-dir (`NNN.json` with `url`, `status`, `headers`, `body_base64`): its
 * response, served in recorded order as Helr's replay does, since Helr keeps no request to match.
 */
function fromHelr(data: unknown, source: string, seq: number): Recording | undefined {
  const r = data as { url?: unknown; status?: unknown; headers?: unknown; body_base64?: unknown } | null;
  if (typeof r !== 'object' || r === null || typeof r.url !== 'string' || typeof r.status !== 'number' || typeof r.body_base64 !== 'string') return undefined;
  const headers: Record<string, string> = {};
  if (typeof r.headers === 'object' && r.headers !== null) {
    for (const [name, value] of Object.entries(r.headers)) {
      if (typeof value === 'string' || Array.isArray(value)) headers[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : value;
    }
  }
  return {
    format: RECORDING_FORMAT,
    source,
    seq,
    inOrder: true,
    request: { method: 'GET', url: r.url, headers: {}, bodyEncoding: 'none', body: null },
    response: { status: r.status, headers, bodyEncoding: 'base64', body: r.body_base64 },
  };
}
