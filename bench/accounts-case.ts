import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startOnePasswordMock, type MockRequestRecord } from '../src/integrations/onepassword/mock/server.js';
import { HEL_BIN } from './hel-cases.js';
import { measure } from './measure.js';

/**
 * Issue 18: hundreds of 1Password accounts in one `accounts:` entry, against the 1Password mock
 * (which enforces 600 requests a minute per account, as the API does). A few "heavy" accounts page
 * with limit 1, so they need more than a minute's budget and Hel has to spread their requests.
 */
export interface AccountsPlan {
  accounts: number;
  eventsPerStream: number;
  heavyAccounts: number;
}

export interface AccountsResult extends AccountsPlan {
  sources: number;
  validate: { wallMs: number; peakRssMb: number; lines: number };
  run: { wallMs: number; peakRssMb: number; events: number; requests: number };
  budget: { perMinute: number; maxInAnyMinute: number; heavyMaxInAnyMinute: number; status429: number; held: boolean };
}

const PER_MINUTE = 600;
const TIMEOUT_MS = 15 * 60_000;

export async function runAccountsCase(dir: string, plan: AccountsPlan, log: (line: string) => void): Promise<AccountsResult> {
  const work = join(dir, 'accounts');
  mkdirSync(work, { recursive: true });
  const mock = await startOnePasswordMock({ events: plan.eventsPerStream, spreadHours: 24, seed: 'bench-accounts', rateLimit: { perMinute: PER_MINUTE, perHour: 30_000 }, keepRequests: 1_000_000 });
  try {
    const accounts: Record<string, unknown>[] = [];
    const uuidOf = new Map<string, string>();
    for (let i = 0; i < plan.accounts; i++) {
      const name = `customer-${String(i + 1).padStart(3, '0')}`;
      const uuid = `BENCH${String(i).padStart(21, 'A')}`.slice(0, 26);
      uuidOf.set(uuid, name);
      const tokenFile = join(work, `${name}.token`);
      writeFileSync(tokenFile, await mock.mintToken({ accountUuid: uuid }), { mode: 0o600 });
      accounts.push({ name, token_file: tokenFile, ...(i < plan.heavyAccounts ? { limit: 1 } : {}) });
    }
    const config = join(work, 'accounts.yaml');
    const state = join(work, 'state.db');
    const output = join(work, 'events.ndjson');
    writeFileSync(config, stringify({ global: { log_level: 'warn', state: { path: state } }, sources: { msp: { type: 'onepassword', base_url: mock.url, start_time: '-2d', accounts } } }));

    log(`hel validate: ${plan.accounts} accounts`);
    const validated = await measure(HEL_BIN, ['validate', '--config', config], { timeoutMs: 120_000, dir: work, probe: true });
    if (validated.code !== 0) throw new Error(`hel validate exited with ${validated.code}:\n${validated.stderr.slice(-2000)}`);
    // measure() keeps only the tail of the output: count the lines from a run of its own.
    const lines = execFileSync(HEL_BIN, ['validate', '--config', config], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .trimEnd()
      .split('\n').length;

    log(`hel run --once: ${plan.accounts * 3} sources (${plan.heavyAccounts} accounts with limit 1)`);
    const mark = mock.requests.length;
    const ran = await measure(HEL_BIN, ['run', '--once', '--config', config, '--output', output], { timeoutMs: TIMEOUT_MS, dir: work, probe: true });
    if (ran.code !== 0) throw new Error(`hel run --once exited with ${ran.code}:\n${ran.stderr.slice(-2000)}`);
    const events = readFileSync(output, 'utf8').split('\n').filter(Boolean).length;
    const expected = plan.accounts * 3 * plan.eventsPerStream;
    if (events !== expected) throw new Error(`hel run --once wrote ${events} events, expected ${expected}`);

    const requests = mock.requests.slice(mark).filter((r) => r.path.startsWith('/api/'));
    const heavy = new Set([...uuidOf].filter(([, name]) => Number(name.slice(-3)) <= plan.heavyAccounts).map(([uuid]) => uuid));
    const maxIn = (filter: (r: MockRequestRecord) => boolean) => maxInAnyMinute(requests.filter(filter));
    const maxInAny = maxIn(() => true);
    const heavyMax = maxIn((r) => r.account !== undefined && heavy.has(r.account));
    const status429 = requests.filter((r) => r.status === 429).length;
    return {
      ...plan,
      sources: plan.accounts * 3,
      validate: { wallMs: validated.wallMs, peakRssMb: validated.peakRssMb, lines },
      run: { wallMs: ran.wallMs, peakRssMb: ran.peakRssMb, events, requests: requests.length },
      budget: { perMinute: PER_MINUTE, maxInAnyMinute: maxInAny, heavyMaxInAnyMinute: heavyMax, status429, held: maxInAny <= PER_MINUTE && status429 === 0 },
    };
  } finally {
    await mock.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The most requests one account made in any 60-second window. */
function maxInAnyMinute(requests: MockRequestRecord[]): number {
  const byAccount = new Map<string, number[]>();
  for (const r of requests) {
    if (r.account === undefined) continue;
    const times = byAccount.get(r.account) ?? [];
    times.push(r.time);
    byAccount.set(r.account, times);
  }
  let max = 0;
  for (const times of byAccount.values()) {
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= 60_000) start++;
      max = Math.max(max, end - start + 1);
    }
  }
  return max;
}
