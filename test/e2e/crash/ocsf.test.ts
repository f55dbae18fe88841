import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crashSeed, crashUntilDone, isJson, prng } from '../../helpers/crash.js';
import { cursorFeed, fakeApi, makeEvents } from '../../helpers/fake-api.js';
import { startHel, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';

// Exactly once across kill -9 holds for mapped output too: after a crash, the lines written past
// the last checkpoint are read back through the mapping (the label in metadata.tags / labels,
// the event id rebuilt), so the page fetched again is not written twice.
for (const format of ['ocsf', 'ecs'] as const) {
  test(`${format} to a file with dedupe: SIGKILL at 8 random moments of a 20,000-event backfill: 0 missing, 0 duplicates`, async (t) => {
    const seed = crashSeed();
    const random = prng(seed);
    const events = makeEvents(20_000);
    const feed = cursorFeed(events, 200);
    const api = await fakeApi(t, async (req) => {
      await new Promise((r) => setTimeout(r, Math.floor(random() * 3)));
      return feed(req);
    });
    const dir = tempDir(t);
    // A full-form source on an Events API path: the 1Password integration owns it and maps it.
    const config = writeConfig(dir, {
      global: { output: { format } },
      sources: {
        audit: {
          url: `${api.url}/api/v2/auditevents`,
          method: 'post',
          body: { limit: 200 },
          pagination: { strategy: 'cursor', cursor_param: 'cursor', cursor_path: 'cursor', cursor_in_body: 'replace', max_pages: 10_000 },
          dedupe: { id_path: 'uuid', capacity: 50_000 },
        },
      },
    });
    const output = join(dir, 'events.ndjson');
    const args = ['run', '--once', '-c', config, '--output', output, '--state', join(dir, 'st.db')];
    const { runs, kills } = await crashUntilDone({ requests: () => api.requests.length, kills: 8, maxDelayMs: 400, random, seed, start: () => startHel(t, args) });

    const lines = readFileSync(output, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const seen = new Map<string, number>();
    for (const l of lines.filter(isJson)) {
      const line = JSON.parse(l) as { metadata?: { original_event_uid: string }; onepassword?: { uuid: string } };
      const uuid = format === 'ocsf' ? line.metadata!.original_event_uid : line.onepassword!.uuid;
      seen.set(uuid, (seen.get(uuid) ?? 0) + 1);
    }
    const missing = events.filter((e) => !seen.has(e.uuid)).length;
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
    t.diagnostic(`seed ${seed}: ${runs} runs, ${kills} kills, ${lines.length} lines`);
    assert.equal(missing, 0, `events missing (seed ${seed})`);
    assert.equal(duplicates, 0, `events written twice (seed ${seed})`);
  });
}
