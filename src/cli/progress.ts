import type { Bus } from '../bus/event-bus.js';
import type { OnceReport } from '../engine/runtime.js';
import type { PageReport, PollEventMap } from '../engine/poll.js';
import { describeError } from '../errors/format.js';
import { isCancellation } from '../errors.js';

/** A source a signal stopped: nothing failed, the committed position is where the next run resumes. */
export const STOPPED = 'stopped by a signal; the next run resumes from the last committed page';

/** The parts of a terminal stream progress needs; tests pass a fake. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(...args: [string, ...unknown[]]): boolean;
}

export interface SourceProgress {
  name: string;
  pages: number;
  events: number;
  duplicates: number;
  /** Newest event time seen so far, as the API wrote it. */
  eventTime?: string;
}

const REDRAW_MS = 100;
const ERASE_LINE_UP = '\x1b[1A\x1b[2K';

/**
 * Live per-source progress for `hel run --once` on a terminal: a block of lines redrawn in place
 * while pages arrive, then a summary table. Other writes to the stream (log lines) are routed
 * around the block: it is erased, the line printed, and the block drawn again below it, so the
 * two never garble each other. The pages come from the runtime's event bus.
 */
export class OnceProgress {
  private readonly rows = new Map<string, SourceProgress>();
  private readonly started: number;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly originalWrite: ProgressStream['write'];
  private readonly stopPages: () => void;

  /** Progress only on a terminal, and not with -q. */
  static start(stream: ProgressStream, sources: string[], bus: Bus<Pick<PollEventMap, 'poll.page'>>, options: { quiet?: boolean; now?: () => number } = {}): OnceProgress | undefined {
    if (!stream.isTTY || options.quiet) return undefined;
    return new OnceProgress(stream, sources, bus, options.now ?? Date.now);
  }

  private constructor(
    private readonly stream: ProgressStream,
    sources: string[],
    bus: Bus<Pick<PollEventMap, 'poll.page'>>,
    private readonly now: () => number,
  ) {
    this.started = now();
    for (const name of sources) this.rows.set(name, { name, pages: 0, events: 0, duplicates: 0 });
    this.originalWrite = stream.write.bind(stream);
    stream.write = (...args) => {
      this.erase();
      const ok = this.originalWrite(...args);
      this.draw();
      return ok;
    };
    this.stopPages = bus.on('poll.page', ({ source, page }) => this.count(source, page));
    this.draw();
  }

  private count(source: string, page: PageReport): void {
    const row = this.rows.get(source) ?? { name: source, pages: 0, events: 0, duplicates: 0 };
    row.pages++;
    row.events += page.emitted;
    row.duplicates += page.duplicates;
    if (page.newestEventTime) row.eventTime = page.newestEventTime;
    this.rows.set(source, row);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.erase();
      this.draw();
    }, REDRAW_MS);
  }

  /** The final table; call after stop(). */
  summary(reports: OnceReport[]): string {
    return renderSummary(reports, this.rows, this.now() - this.started);
  }

  /** Removes the live block and gives the stream back; idempotent. */
  stop(): void {
    this.stopPages();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.erase();
    this.stream.write = this.originalWrite;
  }

  private draw(): void {
    const lines = renderProgress([...this.rows.values()], this.now(), this.now() - this.started, this.stream.columns ?? 80);
    this.originalWrite(lines.map((l) => l + '\n').join(''));
    this.drawnLines = lines.length;
  }

  private erase(): void {
    if (this.drawnLines > 0) this.originalWrite(ERASE_LINE_UP.repeat(this.drawnLines));
    this.drawnLines = 0;
  }
}

/** One line per source, each cut to the terminal width (a wrapped line would break the in-place redraw). */
export function renderProgress(rows: SourceProgress[], now: number, elapsedMs: number, columns: number): string[] {
  const width = Math.max(...rows.map((r) => r.name.length), 6);
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  return rows.map((r) => {
    const rate = Math.round(r.events / seconds);
    const at = r.eventTime ? `  at ${r.eventTime} (${behind(r.eventTime, now)})` : '';
    const line = `${r.name.padEnd(width)}  ${plural(r.pages, 'page')}  ${plural(r.events, 'event')}  ${rate.toLocaleString('en-US')}/s${at}`;
    return line.length > columns - 1 ? line.slice(0, columns - 2) + '…' : line;
  });
}

/** The table printed when `run --once` ends. */
function renderSummary(reports: OnceReport[], progress: ReadonlyMap<string, SourceProgress>, elapsedMs: number): string {
  const header = ['SOURCE', 'RESULT', 'PAGES', 'EVENTS', 'DUPLICATES', 'NEWEST EVENT', 'DETAIL'];
  const rows = reports.map(({ name, outcome }) => {
    const newest = progress.get(name)?.eventTime ?? '-';
    if (outcome.ok) {
      const r = outcome.result;
      return [name, 'ok', String(r.pages), r.emitted.toLocaleString('en-US'), String(r.duplicates), newest, r.stop];
    }
    if ('skipped' in outcome) return [name, 'SKIPPED', '0', '0', '0', newest, outcome.reason];
    const p = progress.get(name);
    if (isCancellation(outcome.error)) return [name, 'stopped', String(p?.pages ?? 0), (p?.events ?? 0).toLocaleString('en-US'), String(p?.duplicates ?? 0), newest, STOPPED];
    return [name, 'FAILED', String(p?.pages ?? 0), (p?.events ?? 0).toLocaleString('en-US'), String(p?.duplicates ?? 0), newest, describeError(outcome.error)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([2, 3, 4]);
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const total = reports.reduce((sum, { outcome }) => sum + (outcome.ok ? outcome.result.emitted : 0), 0);
  const failed = reports.filter((r) => !r.outcome.ok && !('error' in r.outcome && isCancellation(r.outcome.error))).length;
  const footer = `${plural(total, 'event')} from ${plural(reports.length, 'source')} in ${(elapsedMs / 1000).toFixed(1)} s${failed > 0 ? `; ${failed} not ok` : ''}`;
  return [format(header), ...rows.map(format), footer].join('\n');
}

function behind(eventTime: string, now: number): string {
  const ms = Date.parse(eventTime);
  if (Number.isNaN(ms)) return 'time unknown';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s behind`;
  if (s < 3600) return `${Math.floor(s / 60)} min behind`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h behind`;
  return `${(s / 86400).toFixed(1)} d behind`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
