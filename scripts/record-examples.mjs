#!/usr/bin/env node
// Regenerates examples/recordings/: runs examples/hel.yaml once against the fake 1Password Events
// API (started in this process) with --record-dir. Only the host in the URLs changes; replay
// ignores scheme, host and port, so the recordings serve the unmodified examples/hel.yaml:
//   npx hel run --once --config examples/hel.yaml --replay-dir examples/recordings
// Needs a build first (npx tsc -p tsconfig.json).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOnePasswordMock } from '../dist/src/integrations/onepassword/mock/server.js';

const CONFIG = 'examples/hel.yaml';
const RECORDINGS = 'examples/recordings';
const LIVE_HOST = 'https://events.1password.com';
// A fixed clock and seed make the recorded events the same on every regeneration.
const NOW = Date.parse('2026-05-04T09:30:00Z');

function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

// The config asks for `{}`, which the Events API answers with the last hour: put the backlog there.
const mock = await startOnePasswordMock({ seed: 'hel-examples', events: 6, spreadHours: 0.5, now: () => NOW, rateLimit: false });
const work = mkdtempSync(join(tmpdir(), 'hel-record-examples-'));
try {
  const config = join(work, 'hel.yaml');
  writeFileSync(config, readFileSync(CONFIG, 'utf8').replaceAll(LIVE_HOST, mock.url));
  rmSync(RECORDINGS, { recursive: true, force: true });
  const { code, stdout } = await runCli(['run', '--once', '--config', config, '--state', join(work, 'state.db'), '--record-dir', RECORDINGS, '--quiet'], {
    ONEPASSWORD_EVENTS_TOKEN: mock.token,
  });
  if (code !== 0) throw new Error(`hel run exited with ${code}`);
  console.log(`recorded ${stdout.split('\n').filter(Boolean).length} events into ${RECORDINGS}`);
} finally {
  await mock.close();
  rmSync(work, { recursive: true, force: true });
}
