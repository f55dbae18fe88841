import { runHelWith, shortFormConfig, type HelRun } from './hel-cases.js';
import type { BenchServer } from './server-process.js';

export interface MappingRun {
  format: string;
  run: HelRun;
  /** events/s of this format over the envelope's, measured in the same bench run. */
  vsEnvelope: number;
}

/** The same backlog written as envelope, ocsf and ecs, one `hel run --once` each, interleaved `rounds` times (best of). */
export async function runMappingCase(server: BenchServer, dir: string, events: number, rounds: number, log: (line: string) => void): Promise<MappingRun[]> {
  const formats = ['envelope', 'ocsf', 'ecs'];
  const best = new Map<string, HelRun>();
  for (let round = 1; round <= rounds; round++) {
    for (const format of formats) {
      log(`mapping: ${format}, ${events} events (round ${round}/${rounds})`);
      const tag = `map-${format}-${round}`;
      const run = await runHelWith(server, dir, tag, shortFormConfig(server, tag, events, format), events);
      const prior = best.get(format);
      if (prior === undefined || run.eventsPerSec > prior.eventsPerSec) best.set(format, run);
    }
  }
  const envelope = best.get('envelope')!;
  return formats.map((format) => ({ format, run: best.get(format)!, vsEnvelope: best.get(format)!.eventsPerSec / envelope.eventsPerSec }));
}

export function renderMapping(runs: MappingRun[]): string {
  const lines = ['| format | events | wall | events/s | vs envelope | peak RSS |', '|---|---:|---:|---:|---:|---:|'];
  for (const r of runs) {
    lines.push(
      `| ${r.format} | ${r.run.events.toLocaleString('en-US')} | ${(r.run.wallMs / 1000).toFixed(2)} s | ${Math.round(r.run.eventsPerSec).toLocaleString('en-US')} | ${r.vsEnvelope.toFixed(2)}× | ${r.run.peakRssMb.toFixed(1)} MB |`,
    );
  }
  return lines.join('\n');
}
