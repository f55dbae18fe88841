/**
 * The runtime's ceiling: the least a Node program can do to follow the cursor and write NDJSON.
 * fetch, JSON.parse, one JSON.stringify per item, one write per page. No fsync, no state, no
 * dedupe. Usage: node bare-loop.js URL OUTPUT LIMIT MAX_PAGES
 */
import { open } from 'node:fs/promises';

const [url, output, limitArg, maxPagesArg] = process.argv.slice(2);
if (!url || !output) throw new Error('usage: bare-loop URL OUTPUT LIMIT MAX_PAGES');
const maxPages = Number(maxPagesArg ?? 10_000);

const file = await open(output, 'w');
let body = JSON.stringify({ limit: Number(limitArg ?? 1000) });
let events = 0;
for (let page = 0; page < maxPages; page++) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const data = JSON.parse(await res.text()) as { items: unknown[]; cursor: string; has_more: boolean };
  let chunk = '';
  for (const item of data.items) chunk += JSON.stringify(item) + '\n';
  await file.write(chunk);
  events += data.items.length;
  if (!data.has_more) break;
  body = JSON.stringify({ cursor: data.cursor });
}
await file.close();
process.stdout.write(JSON.stringify({ events }) + '\n');
