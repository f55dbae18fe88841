/**
 * Preloaded into measured children (`node --import`): on exit, writes the process's peak RSS and
 * CPU time to $HEL_BENCH_PROBE. Reading VmHWM at exit catches a peak that a sampler could miss.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.HEL_BENCH_PROBE;
if (target) {
  process.on('exit', () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    const cpu = process.cpuUsage();
    writeFileSync(target, JSON.stringify({ vmHwmKb: hwm === undefined ? undefined : Number(hwm), maxRssKb: process.resourceUsage().maxRSS, cpuUserUs: cpu.user, cpuSystemUs: cpu.system }));
  });
}
