import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What users write by hand: curl for each page, jq for the items and for the cursor. */
const SCRIPT = `#!/bin/sh
set -eu
url="$1"; out="$2"; limit="$3"; max="$4"
body="{\\"limit\\":$limit}"
: > "$out"
page=0
while [ "$page" -lt "$max" ]; do
  resp=$(curl -sS --fail -X POST -H 'Authorization: Bearer bench' -H 'Content-Type: application/json' -d "$body" "$url")
  printf '%s' "$resp" | jq -c '.items[]' >> "$out"
  next=$(printf '%s' "$resp" | jq -r '"\\(.cursor) \\(.has_more)"')
  page=$((page + 1))
  [ "\${next#* }" = "true" ] || break
  body="{\\"cursor\\":\\"\${next% *}\\"}"
done
`;

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** curl and jq, installed from Debian's packages when missing and we are root; else why not. */
export function ensureCurlJq(log: (line: string) => void): { ok: true } | { ok: false; reason: string } {
  const missing = ['curl', 'jq'].filter((t) => !has(t));
  if (missing.length === 0) return { ok: true };
  if (process.getuid?.() !== 0) return { ok: false, reason: `${missing.join(' and ')} not installed (not root, so not installed by the bench)` };
  log(`installing ${missing.join(' ')} with apt-get`);
  const install = (): number | null => spawnSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'ignore', timeout: 300_000 }).status;
  if (install() !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', timeout: 300_000 });
    if (install() !== 0) return { ok: false, reason: `apt-get install ${missing.join(' ')} failed` };
  }
  return missing.every(has) ? { ok: true } : { ok: false, reason: `${missing.join(' and ')} still missing after apt-get` };
}

export function writeCurlJqScript(dir: string): string {
  const path = join(dir, 'curl-jq.sh');
  writeFileSync(path, SCRIPT, { mode: 0o755 });
  return path;
}
