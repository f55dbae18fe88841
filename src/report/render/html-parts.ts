import { escapeHtml } from './escape.js';

export type Cell = string | number | undefined;

/** A table whose every cell is escaped; an empty list renders a "none" line instead. */
export function table(headers: string[], rows: Cell[][], options: { empty?: string; numeric?: number[] } = {}): string {
  if (rows.length === 0) return `<p class="none">${escapeHtml(options.empty ?? 'None in this period.')}</p>`;
  const numeric = new Set(options.numeric ?? []);
  const head = headers.map((h, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(c ?? '-')}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function countTable(title: string, rows: { key: string; count: number }[], empty?: string): string {
  return table(
    [title, 'Count'],
    rows.map((r) => [r.key, r.count]),
    { numeric: [1], ...(empty ? { empty } : {}) },
  );
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}" class="detail"><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

export function h3(title: string): string {
  return `<h3>${escapeHtml(title)}</h3>`;
}

export function para(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a202c; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; border-bottom: 2px solid #2b6cb0; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 14px; margin: 18px 0 6px; }
.meta { color: #4a5568; margin: 0 0 16px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 12px; }
th, td { border: 1px solid #cbd5e0; padding: 3px 6px; text-align: left; vertical-align: top; word-break: break-word; }
th { background: #edf2f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #f7fafc; }
.none { color: #718096; font-style: italic; }
.findings { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 10px; margin: 12px 0 20px; }
.finding { border: 1px solid #cbd5e0; border-left: 5px solid #2b6cb0; padding: 8px 10px; border-radius: 4px; }
.finding.flag { border-left-color: #c53030; background: #fff5f5; }
.finding .label { color: #4a5568; font-size: 12px; }
.finding .value { font-size: 15px; font-weight: 600; }
.flag-text { color: #c53030; font-weight: 600; }
.chart { max-width: 760px; display: block; margin: 8px 0 16px; font-size: 11px; }
.chart .chart-title { font-weight: 600; font-size: 12px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
nav ol { columns: 2; margin: 6px 0; }
footer { margin-top: 32px; color: #718096; font-size: 11px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .summary { page-break-after: always; break-after: page; }
  section.detail { page-break-before: always; break-before: page; }
  h2, h3 { page-break-after: avoid; break-after: avoid; }
  tr, .finding, .chart { page-break-inside: avoid; break-inside: avoid; }
  thead { display: table-header-group; }
  nav { display: none; }
}
`;
