import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';

/** Answers 200 with the start of a JSON page and then blanks for ever, as fast as the client reads them. */
export function sendEndlessBody(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  res.write('{"items":[');
  pump();
}

/** Samples the resident set size of process `pid` every 10 ms until `stop()`, which returns the peak in kB. */
export function watchPeakRss(pid: number | undefined): { stop(): number } {
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited
    }
  }, 10);
  return {
    stop() {
      clearInterval(sampler);
      return peakKb;
    },
  };
}
