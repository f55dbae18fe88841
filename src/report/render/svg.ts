import { escapeHtml } from './escape.js';

/** Horizontal bar chart as inline SVG: no scripts, no external assets, prints as vectors. */
export function barChart(rows: { key: string; count: number }[], options: { title: string; max?: number; color?: string }): string {
  const shown = rows.slice(0, options.max ?? 12);
  if (shown.length === 0) return '';
  const rowHeight = 22;
  const labelWidth = 230;
  const barWidth = 380;
  const height = shown.length * rowHeight + 28;
  const top = Math.max(...shown.map((r) => r.count), 1);
  const bars = shown
    .map((r, i) => {
      const y = 24 + i * rowHeight;
      const w = Math.max(1, Math.round((r.count / top) * barWidth));
      const label = r.key.length > 34 ? `${r.key.slice(0, 33)}…` : r.key;
      return (
        `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 2}" width="${w}" height="${rowHeight - 6}" fill="${options.color ?? '#2b6cb0'}"/>` +
        `<text x="${labelWidth + w + 5}" y="${y + 14}">${r.count}</text>`
      );
    })
    .join('');
  return (
    `<svg class="chart" role="img" aria-label="${escapeHtml(options.title)}" viewBox="0 0 ${labelWidth + barWidth + 60} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="0" y="14" class="chart-title">${escapeHtml(options.title)}</text>${bars}</svg>`
  );
}

const STREAM_COLORS = ['#2b6cb0', '#c05621', '#2f855a'];

/** Events per day, one column group per day and one colour per stream. */
export function dailyVolumeChart(series: { name: string; perDay: { day: string; count: number }[] }[]): string {
  const days = [...new Set(series.flatMap((s) => s.perDay.map((d) => d.day)))].sort();
  if (days.length === 0) return '';
  const width = 720;
  const height = 200;
  const plotTop = 30;
  const plotBottom = height - 30;
  const slot = (width - 40) / days.length;
  const barW = Math.max(1, (slot * 0.8) / series.length);
  const counts = series.map((s) => new Map(s.perDay.map((d) => [d.day, d.count])));
  const top = Math.max(1, ...counts.flatMap((m) => [...m.values()]));
  const bars: string[] = [];
  days.forEach((day, i) => {
    counts.forEach((m, j) => {
      const c = m.get(day) ?? 0;
      if (c === 0) return;
      const h = ((plotBottom - plotTop) * c) / top;
      bars.push(
        `<rect x="${(40 + i * slot + j * barW).toFixed(1)}" y="${(plotBottom - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${STREAM_COLORS[j % 3]}"><title>${escapeHtml(`${day} ${series[j]!.name}: ${c}`)}</title></rect>`,
      );
    });
  });
  const legend = series.map((s, j) => `<rect x="${40 + j * 170}" y="6" width="10" height="10" fill="${STREAM_COLORS[j % 3]}"/><text x="${54 + j * 170}" y="15">${escapeHtml(s.name)}</text>`).join('');
  const axis =
    `<line x1="38" y1="${plotBottom}" x2="${width}" y2="${plotBottom}" stroke="#888"/>` +
    `<text x="34" y="${plotTop + 8}" text-anchor="end">${top}</text><text x="34" y="${plotBottom}" text-anchor="end">0</text>` +
    `<text x="40" y="${height - 10}">${escapeHtml(days[0])}</text><text x="${width}" y="${height - 10}" text-anchor="end">${escapeHtml(days[days.length - 1])}</text>`;
  return `<svg class="chart" role="img" aria-label="Events per day" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">${legend}${axis}${bars.join('')}</svg>`;
}
