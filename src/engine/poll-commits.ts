import type { Emitter } from '../bus/event-bus.js';
import type { Clock } from '../clock.js';
import type { ResolvedSource } from '../config/resolved.js';
import { describeError, errorLogFields } from '../errors/format.js';
import { IdSet } from '../pipeline/id-table.js';
import type { BatchSink } from '../sink/batch-sink.js';
import type { SourceState, StateChange } from './source-state.js';
import { isStateWriteFailure } from './state-write-failure.js';

/** The state key of the output mark (see `BatchSink.position`); absent while the source is idle. */
export const OUTPUT_POSITION = 'output_position';

/** What one written page changes once it is committed. */
export interface PageChange {
  keys: Record<string, string | null>;
  emitted: number;
  /** Ids this page delivered first, in order. */
  ids: string[];
}

/** What a poll's commits report on the runtime's event bus (src/bus); part of PollEventMap. */
export interface CommitEventMap {
  /** A state commit succeeded, `durationMs` after it started. */
  'state.write': { source: string; durationMs: number };
  /** Something the source's config chose to tolerate (on_parse_error: skip, an oversized line, a skipped checkpoint). */
  'poll.warning': { source: string; message: string; fields: Record<string, unknown> };
}

export interface PollCommitsDeps {
  source: ResolvedSource;
  state: SourceState;
  sink: BatchSink;
  clock: Clock;
  signal: AbortSignal;
  /** False for `hel test` without --commit: pages are never committed. */
  commit: boolean;
  /** The end-of-poll change, committed with the poll's last page (PollOptions.finish). */
  finish?: () => StateChange;
  events: Emitter<CommitEventMap>;
}

/**
 * The commits of one poll. Written pages wait here until the sink has flushed them (one page with
 * checkpoint: per_page, every page of the poll with end_of_tick), then go to the source's state as
 * one change, which commits it and only then applies it. Their ids count as seen meanwhile, so a
 * repeat within the waiting pages is dropped too, but only a commit puts them in the dedupe window.
 */
export class PollCommits {
  private pending: PageChange | undefined;
  private readonly uncommitted = new IdSet();
  private finished = false;
  /** With dedupe and an output that can be read back: where it stood is part of every commit. */
  private readonly tracksOutput: boolean;

  constructor(private readonly deps: PollCommitsDeps) {
    this.tracksOutput = deps.commit && deps.state.dedupe !== undefined && deps.sink.position !== undefined;
  }

  /** Records where the output stands before the poll writes anything (read back after a crash). */
  async begin(): Promise<void> {
    if (this.tracksOutput) await this.commit({ keys: { [OUTPUT_POSITION]: await this.deps.sink.position!(this.deps.signal) } });
  }

  /** Whether this poll already delivered `id` without committing it yet. */
  has(id: string): boolean {
    return this.uncommitted.has(id);
  }

  add(id: string): void {
    this.uncommitted.add(id);
  }

  /** Events written since the last commit. */
  get emitted(): number {
    return this.pending?.emitted ?? 0;
  }

  /** A page written to the sink: it waits for the next commit. */
  written(page: PageChange): void {
    if (!this.deps.commit) return;
    const p = this.pending;
    this.pending = p ? { keys: { ...p.keys, ...page.keys }, emitted: p.emitted + page.emitted, ids: [...p.ids, ...page.ids] } : page;
  }

  /** Flushes the sink and commits the waiting pages, with the end-of-poll change when they are the poll's `last`. */
  async commitPending(last: boolean): Promise<void> {
    const page = this.pending;
    if (page === undefined) return;
    this.pending = undefined;
    await this.deps.sink.flush(this.deps.signal, this.deps.source.name);
    const change: StateChange = { keys: page.keys, emitted: page.emitted, dedupeIds: page.ids };
    if (this.tracksOutput) change.keys![OUTPUT_POSITION] = await this.deps.sink.position!(this.deps.signal);
    const end = last ? this.deps.finish?.() : undefined;
    if (end) Object.assign(change, { ...end, keys: { ...change.keys, ...end.keys } });
    await this.commit(change);
    this.finished = last;
    this.uncommitted.clear();
  }

  /** The end-of-poll change on its own, when no page carried it (nothing to ask for, an unreadable page skipped). */
  async end(): Promise<void> {
    const end = this.deps.commit && !this.finished ? this.deps.finish?.() : undefined;
    if (end && !this.deps.state.isNoop(end)) await this.commit(end);
  }

  /**
   * One change, one commit. A failed write that on_state_write_error: skip_checkpoint tolerates is
   * applied in memory only: the events are delivered, a restart re-reads from the last saved position.
   */
  private async commit(change: StateChange): Promise<void> {
    const { state, source, clock } = this.deps;
    const committing = clock.now();
    try {
      await state.commit(change);
      this.deps.events.emit('state.write', { source: source.name, durationMs: clock.now() - committing });
    } catch (err) {
      if (source.on_state_write_error !== 'skip_checkpoint' || !isStateWriteFailure(err)) throw err;
      this.deps.events.emit('poll.warning', {
        source: source.name,
        message: `checkpoint skipped (on_state_write_error: skip_checkpoint): ${describeError(err)}; the position is kept in memory, a restart re-reads from the last saved one`,
        fields: errorLogFields(err),
      });
      state.apply(change);
    }
  }
}
