import { randomBytes } from 'node:crypto';
import type { SourceHealth, SourceStatus } from '../engine/status.js';
import { freshnessOf } from '../engine/freshness.js';

export interface StatusPageInput {
  /** Undefined when an API token is required and the request did not carry it: the page then loads the rows itself. */
  statuses: SourceStatus[] | undefined;
  version: string;
  startedAt: number;
  now: number;
  /** Why the output is not healthy (stalled, receiver down), shown above the sources; undefined when it is. */
  outputProblem?: string;
}

const REFRESH_MS = 5000;

const HEALTH_LABEL: Record<SourceHealth, string> = {
  ok: 'OK',
  degraded: 'Degraded',
  failing: 'Failing',
  'circuit-open': 'Circuit open',
  pending: 'Pending',
};

/** Error messages come from remote servers, so every value is escaped before it reaches the page. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The status page: one self-contained HTML document (no external assets). The server renders the
 * rows; the inline script re-fetches this same page every few seconds and swaps in the new
 * `<main>`, so rendering and escaping live in one place. The script runs under a per-response
 * nonce, so injected markup could not run script even if escaping were ever missed.
 */
export function renderStatusPage(input: StatusPageInput): { html: string; headers: Record<string, string> } {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hel status</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><h1>hel</h1><span class="muted">v${escapeHtml(input.version)} · up ${duration(input.now - input.startedAt)}</span></header>
${renderMain(input)}
<footer><span id="refresh" class="muted">auto-refresh every ${REFRESH_MS / 1000} s</span></footer>
<script nonce="${nonce}">${script(input.statuses !== undefined)}</script>
</body>
</html>
`;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return { html, headers: { 'content-security-policy': csp, 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' } };
}

function renderMain({ statuses, now, startedAt, outputProblem }: StatusPageInput): string {
  if (statuses === undefined) {
    return '<main><p class="notice">This hel requires an API token. Open this page as <code>/#token=YOUR_TOKEN</code> (the fragment never leaves the browser).</p></main>';
  }
  const counts = new Map<SourceHealth, number>();
  for (const s of statuses) counts.set(s.health, (counts.get(s.health) ?? 0) + 1);
  const summary = [...counts].map(([health, n]) => `<span class="pill ${health}">${n} ${HEALTH_LABEL[health].toLowerCase()}</span>`).join(' ');
  const rows = statuses.map((s) => renderRow(s, now, startedAt)).join('\n');
  const output = outputProblem === undefined ? '' : `<p class="notice output-problem" role="alert">Output not healthy: ${escapeHtml(outputProblem)}</p>\n`;
  return `<main>
${output}<p class="summary">${statuses.length} source${statuses.length === 1 ? '' : 's'} ${summary}</p>
<table>
<thead><tr><th>Source</th><th>Status</th><th>Last poll</th><th>Events</th><th>Last hour</th><th>Freshness</th><th>Last error</th><th>Circuit</th><th>Next poll</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</main>`;
}

function renderRow(s: SourceStatus, now: number, startedAt: number): string {
  const fresh = freshnessOf(s, now, startedAt);
  const newest = s.lastEventTime === undefined ? '<span class="muted">no event yet</span>' : `newest ${relative(s.lastEventTime, now)}`;
  const alert =
    fresh.alertAfterHours === null
      ? ''
      : fresh.noEvents
        ? `<br><span class="no-events">no events for over ${fresh.alertAfterHours} h</span>`
        : `<br><span class="muted">alert after ${fresh.alertAfterHours} h</span>`;
  const problem = s.health === 'failing' || s.health === 'circuit-open';
  const lastPoll = s.polling ? 'polling now' : relative(s.lastPollAt, now);
  const error =
    s.lastError === undefined
      ? '<span class="muted">none</span>'
      : `<span class="error">${escapeHtml(s.lastError)}</span><br><span class="muted">${escapeHtml(s.lastErrorCode ?? '')} ${relative(s.lastErrorAt, now)}</span>`;
  return `<tr class="source is-${s.health}${problem ? ' problem' : ''}" data-source="${escapeHtml(s.name)}" data-status="${s.health}">
<td data-label="Source"><div><strong>${escapeHtml(s.name)}</strong><br><span class="muted url">${escapeHtml(s.url)}</span>${leaseLine(s, now)}</div></td>
<td data-label="Status"><div><span class="badge ${s.health}">${HEALTH_LABEL[s.health]}</span>${s.consecutiveFailures > 0 ? `<br><span class="muted">${s.consecutiveFailures} failed in a row</span>` : ''}</div></td>
<td data-label="Last poll"><div>${lastPoll}<br><span class="muted">success ${relative(s.lastSuccessAt, now)}</span></div></td>
<td data-label="Events" class="num"><div>${s.eventsTotal.toLocaleString('en-US')}</div></td>
<td data-label="Last hour" class="num"><div>${s.eventsLastHour.toLocaleString('en-US')}</div></td>
<td data-label="Freshness"><div>${newest}${alert}</div></td>
<td data-label="Last error" class="err"><div>${error}</div></td>
<td data-label="Circuit"><div><span class="circuit ${s.circuit}">${s.circuit.replace('_', '-')}</span></div></td>
<td data-label="Next poll"><div>${s.polling ? '—' : relative(s.nextPollAt, now)}</div></td>
</tr>`;
}

/** Shared state: which instance polls the source and when its lease runs out. */
function leaseLine(s: SourceStatus, now: number): string {
  if (s.owner === undefined) return s.leaseExpiresAt === undefined ? '' : '<br><span class="muted lease">not leased</span>';
  return `<br><span class="muted lease">polled by ${escapeHtml(s.owner)}, lease ends ${relative(s.leaseExpiresAt, now)}</span>`;
}

function relative(iso: string | undefined, now: number): string {
  if (iso === undefined) return '<span class="muted">never</span>';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeHtml(iso);
  const text = ms <= now ? `${duration(now - ms)} ago` : `in ${duration(ms - now)}`;
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(iso)}">${text}</time>`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** The token comes from `#token=` (never sent to the server in the URL) and is kept for the tab's session only. */
function script(rowsRendered: boolean): string {
  return `(() => {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) { sessionStorage.setItem('hel-token', fromHash); history.replaceState(null, '', location.pathname + location.search); }
  const token = sessionStorage.getItem('hel-token');
  const note = document.getElementById('refresh');
  async function refresh() {
    try {
      const response = await fetch(location.pathname + location.search, { cache: 'no-store', headers: token ? { authorization: 'Bearer ' + token } : {} });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
      document.querySelector('main').replaceWith(fresh.querySelector('main'));
      document.querySelector('header .muted').replaceWith(fresh.querySelector('header .muted'));
      note.textContent = 'updated ' + new Date().toLocaleTimeString() + ' · auto-refresh every ${REFRESH_MS / 1000} s';
      note.classList.remove('stale');
    } catch (e) {
      note.textContent = 'refresh failed (' + e.message + '); the rows may be out of date';
      note.classList.add('stale');
    }
  }
  ${rowsRendered ? '' : 'if (token) refresh();'}
  setInterval(refresh, ${REFRESH_MS});
})();`;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #f7f7f8; --fg: #1d1d1f; --card: #fff; --line: #e2e2e6; --muted: #6b6b73;
  --ok: #1a7f37; --ok-bg: #dafbe1; --warn: #9a6700; --warn-bg: #fff3c4; --bad: #b42318; --bad-bg: #fde4e1; --idle: #57606a; --idle-bg: #eaeef2; }
@media (prefers-color-scheme: dark) { :root { --bg: #111214; --fg: #e8e8ea; --card: #1b1c1f; --line: #2e2f33; --muted: #9a9aa3;
  --ok: #4ac26b; --ok-bg: #12331d; --warn: #e3b341; --warn-bg: #3a2e0a; --bad: #ff7b72; --bad-bg: #3d1512; --idle: #9aa4ae; --idle-bg: #23272d; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: baseline; gap: 12px; }
h1 { margin: 0 0 8px; font-size: 22px; }
.muted { color: var(--muted); font-size: 12px; }
.summary { margin: 4px 0 12px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; margin-left: 4px; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.err { max-width: 420px; overflow-wrap: anywhere; }
.url { overflow-wrap: anywhere; }
tr.problem { background: var(--bad-bg); }
tr.problem td:first-child { box-shadow: inset 4px 0 0 var(--bad); }
.badge { display: inline-block; padding: 2px 8px; border-radius: 4px; font-weight: 600; font-size: 12px; white-space: nowrap; }
.ok { color: var(--ok); background: var(--ok-bg); }
.degraded { color: var(--warn); background: var(--warn-bg); }
.failing, .circuit-open { color: var(--bad); background: var(--bad-bg); }
.no-events { color: var(--warn); background: var(--warn-bg); font-weight: 600; padding: 1px 6px; border-radius: 4px; white-space: nowrap; }
.badge.failing, .badge.circuit-open { color: #fff; background: var(--bad); }
.pending { color: var(--idle); background: var(--idle-bg); }
.error { color: var(--bad); }
.circuit.closed { color: var(--muted); }
.circuit.open { color: var(--bad); font-weight: 600; }
.circuit.half_open { color: var(--warn); font-weight: 600; }
.notice { padding: 12px; background: var(--warn-bg); border-radius: 6px; }
footer { margin-top: 10px; }
.stale { color: var(--bad); }
@media (max-width: 720px) {
  body { padding: 10px; }
  table, thead, tbody, tr, td { display: block; width: 100%; }
  thead { display: none; }
  table { border: none; background: none; }
  tr.source { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin-bottom: 10px; padding: 4px 0; }
  tr.problem { background: var(--bad-bg); }
  td { border: none; padding: 4px 12px; display: flex; gap: 12px; }
  td > div { min-width: 0; flex: 1; }
  td::before { content: attr(data-label); flex: 0 0 88px; color: var(--muted); font-size: 12px; }
  td.num { text-align: left; }
  tr.problem td:first-child { box-shadow: none; }
  tr.problem { box-shadow: inset 4px 0 0 var(--bad); }
}
`;
