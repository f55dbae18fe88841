/**
 * `npm run bench`: Hel against a local stand-in of the 1Password Events API, next to a bare Node
 * loop and a curl + jq loop over the same pages. Every measured program is its own process; the
 * server is another. Options: --events N, --quick (tiny counts, seconds), --json, --out PATH,
 * --case accounts (only the many-accounts case, against the 1Password mock),
 * --case throughput [--rounds N] [--baseline DIR] (the backfill and the bare loop in turns, with
 * another build of Hel in the same turns for before/after ratios),
 * --case secret (a token_secret source against the same source with token_env),
 * --only-sinks (events/s through each sink — file, HTTP NDJSON, _bulk fake, JetStream — on one backlog, printed only),
 * --only-mapping (the output-format case: envelope vs ocsf vs ecs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBareLoop, runCurlJq } from './cases.js';
import { ensureCurlJq } from './curl-jq.js';
import { runHel, timeValidate } from './hel-cases.js';
import { runHelJetStream } from './nats-case.js';
import { runAccountsCase } from './accounts-case.js';
import { renderSecretCase, runSecretCase } from './secret-case.js';
import { runHttpSinkCases } from './http-sink-cases.js';
import { renderMapping, runMappingCase } from './mapping-case.js';
import { evaluateTargets, renderAccounts, renderResults, sinkRatios, sinkRows, type BenchResults } from './report.js';
import { startServer } from './server-process.js';
import { renderThroughput, runThroughputCase } from './throughput-case.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    fleet: { type: 'boolean', default: false },
    case: { type: 'string' },
    rounds: { type: 'string' },
    baseline: { type: 'string' },
    'only-sinks': { type: 'boolean', default: false },
    'only-mapping': { type: 'boolean', default: false },
  },
});
const quick = values.quick === true;
if (values.fleet === true) {
  // The shared-state cases only (issue 15): they bring their own PostgreSQL cluster.
  const { runFleetBench } = await import('./fleet.js');
  const fleet = await runFleetBench({ quick, log: (line) => process.stderr.write(`${line}\n`) });
  const out = values.out ?? join(REPO, 'bench', 'results', quick ? 'fleet-quick.json' : 'fleet.json');
  mkdirSync(dirname(out), { recursive: true });
  // The load average says how shared the machine was: the fleet figures are ratios measured in one run.
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: { cpus: availableParallelism(), node: process.versions.node, loadavg: loadavg() }, fleet }, null, 2) + '\n');
  process.stdout.write(`${JSON.stringify(fleet, null, 2)}\n\nwritten to ${out}\n`);
  process.exit(0);
}
const events = Number(values.events ?? (quick ? 5000 : 1_000_000));
if (!Number.isInteger(events) || events < 1000 || events > 10_000_000) throw new Error('--events must be an integer from 1000 to 10,000,000');

const plan = {
  events,
  smallBacklog: Math.max(1000, Math.round(events / 10)),
  curlJqEvents: Math.min(events, quick ? 2000 : 100_000),
  scaleSources: quick ? 10 : 500,
  validateRuns: quick ? 3 : 9,
};
const log = (line: string): void => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

if (values.case === 'throughput') {
  const rounds = Number(values.rounds ?? (quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('--rounds must be an integer from 1 to 20');
  const scratch = mkdtempSync(join(tmpdir(), 'hel-bench-'));
  const throughputServer = await startServer();
  try {
    const throughput = await runThroughputCase(throughputServer, scratch, { events, rounds, baseline: values.baseline }, log);
    const out = values.out ?? join(REPO, 'bench', 'results', quick ? 'throughput-quick.json' : 'throughput.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: { cpus: availableParallelism(), node: process.versions.node }, throughput }, null, 2) + '\n');
    process.stdout.write(values.json ? `${JSON.stringify(throughput)}\n` : `${renderThroughput(throughput)}\n\nwritten to ${out}\n`);
  } finally {
    throughputServer.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(0);
}

const accountsPlan = quick ? { accounts: 10, eventsPerStream: 5, heavyAccounts: 0 } : { accounts: 300, eventsPerStream: 200, heavyAccounts: 2 };
if (values.case === 'secret') {
  const scratch = mkdtempSync(join(tmpdir(), 'hel-bench-'));
  const server = await startServer();
  try {
    const secret = await runSecretCase(server, scratch, quick ? { events: 2000, limit: 100 } : { events: 20_000, limit: 100 }, log);
    const out = values.out ?? join(REPO, 'bench', 'results', quick ? 'secret-quick.json' : 'secret.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: { cpus: availableParallelism(), node: process.versions.node, loadavg: loadavg() }, secret }, null, 2) + '\n');
    process.stdout.write(values.json ? `${JSON.stringify(secret)}\n` : `${renderSecretCase(secret)}\n\nwritten to ${out}\n`);
  } finally {
    server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(0);
}
if (values.case !== undefined) {
  if (values.case !== 'accounts') throw new Error(`--case: the cases are accounts, throughput and secret, not ${values.case}`);
  const scratch = mkdtempSync(join(tmpdir(), 'hel-bench-'));
  try {
    const accounts = await runAccountsCase(scratch, accountsPlan, log);
    const out = values.out ?? join(REPO, 'bench', 'results', quick ? 'accounts-quick.json' : 'accounts.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: { cpus: availableParallelism(), node: process.versions.node }, accounts }, null, 2) + '\n');
    process.stdout.write(values.json ? `${JSON.stringify(accounts)}\n` : `${renderAccounts(accounts)}\n\nwritten to ${out}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(0);
}

if (values['only-sinks']) {
  const scratch = mkdtempSync(join(tmpdir(), 'hel-bench-'));
  const sinkServer = await startServer();
  try {
    log(`hel run --once: ${plan.smallBacklog} events into a file, HTTP NDJSON, a _bulk fake and JetStream (machine load applies)`);
    const file = await runHel(sinkServer, scratch, 'small', [{ name: 'onepassword-audit', events: plan.smallBacklog, limit: 1000 }]);
    const http = await runHttpSinkCases(sinkServer, scratch, plan.smallBacklog, file);
    const jetstream = await runHelJetStream(sinkServer, scratch, plan.smallBacklog);
    if (values.json) process.stdout.write(`${JSON.stringify({ file, ...http, jetstream })}\n`);
    else
      process.stdout.write(
        `${sinkRows(file, http, jetstream)
          .map((r) => r.join('  '))
          .join('\n')}\n${sinkRatios(file, http, jetstream)}\n`,
      );
  } finally {
    sinkServer.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'hel-bench-'));
const server = await startServer();
if (values['only-mapping']) {
  try {
    // At most 600 pages: the short form's account budget allows 600 requests a minute.
    const mappingEvents = Math.min(events, quick ? 20_000 : 200_000);
    const runs = await runMappingCase(server, dir, mappingEvents, quick ? 1 : 3, log);
    const out = values.out ?? join(REPO, 'bench', 'results', quick ? 'mapping-quick.json' : 'mapping.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: { cpus: availableParallelism(), node: process.versions.node }, runs }, null, 2) + '\n');
    process.stdout.write(`${renderMapping(runs)}\n\nwritten to ${out}\n`);
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
try {
  log(`bench server ${server.url}; scratch ${dir}`);
  log(`hel validate x${plan.validateRuns}`);
  const validate = await timeValidate(server, dir, plan.validateRuns);
  log(`hel run --once: ${plan.events} events`);
  const hel = await runHel(server, dir, 'large', [{ name: 'onepassword-audit', events: plan.events, limit: 1000 }]);
  log(`bare loop: ${plan.events} events`);
  const bareLoop = await runBareLoop(server, dir, plan.events);
  log(`hel run --once: ${plan.smallBacklog} events`);
  const small = await runHel(server, dir, 'small', [{ name: 'onepassword-audit', events: plan.smallBacklog, limit: 1000 }]);
  log(`hel run --once: ${plan.scaleSources} sources`);
  const scaleSources = Array.from({ length: plan.scaleSources }, (_, i) => ({ name: `tenant-${String(i + 1).padStart(3, '0')}`, events: 300, limit: 100 }));
  const scale = await runHel(server, dir, 'scale', scaleSources);
  log(`hel run --once: ${plan.smallBacklog} events into HTTP NDJSON and a _bulk fake`);
  const httpSink = await runHttpSinkCases(server, dir, plan.smallBacklog, small);
  const tools = ensureCurlJq(log);
  let curlJq: BenchResults['curlJq'];
  if (tools.ok) {
    log(`curl + jq: ${plan.curlJqEvents} events`);
    curlJq = { available: true, ...(await runCurlJq(server, dir, plan.curlJqEvents)) };
  } else {
    log(`curl + jq figure unavailable: ${tools.reason}`);
    curlJq = { available: false, reason: tools.reason };
  }

  log(`hel run --once → JetStream: ${plan.smallBacklog} events`);
  const jetstream = await runHelJetStream(server, dir, plan.smallBacklog);

  const rssRatio = hel.peakRssMb / small.peakRssMb;
  const partial: Omit<BenchResults, 'targets'> = {
    version: 1,
    date: new Date().toISOString(),
    quick,
    machine: { cpus: availableParallelism(), node: process.versions.node, platform: `${process.platform}-${process.arch}` },
    hel,
    bareLoop,
    curlJq,
    ratios: { helVsBareLoop: hel.eventsPerSec / bareLoop.eventsPerSec, helVsCurlJq: curlJq.available ? hel.eventsPerSec / curlJq.eventsPerSec : null },
    backlog: { small, large: hel, rssRatio, flat: Math.abs(rssRatio - 1) <= 0.1 },
    scale: { ...scale, sources: plan.scaleSources, eventsPerSource: 300, limit: 100 },
    validate,
    httpSink,
    jetstreamSink: jetstream,
  };
  const results: BenchResults = { ...partial, targets: evaluateTargets(partial) };
  const out = values.out ?? join(REPO, 'bench', 'results', quick ? 'quick.json' : 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  if (values.json) process.stdout.write(JSON.stringify(results) + '\n');
  else process.stdout.write(`${renderResults(results)}\n\nwritten to ${out}\n`);
} finally {
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
