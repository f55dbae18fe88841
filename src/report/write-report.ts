import { writeFileSync } from 'node:fs';
import { HelError } from '../errors.js';
import type { ReportData } from './report-data.js';
import { renderHtml } from './render/html.js';
import { renderMarkdown } from './render/md.js';

export const REPORT_FORMATS = ['html', 'json', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(report: ReportData, format: ReportFormat): string {
  if (format === 'html') return renderHtml(report);
  if (format === 'md') return renderMarkdown(report);
  return JSON.stringify(report, null, 2) + '\n';
}

/** Writes the rendered report to a file, or to stdout when `out` is "-". */
export function writeReport(text: string, out: string): void {
  if (out === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(out, text);
  } catch (err) {
    throw new HelError('HEL_OUTPUT', `cannot write report to ${out} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'check --out' });
  }
}
