import type { SourceConfig } from './schema.js';

/**
 * The Rust Hel's spellings of keys Hel already has, folded into Hel's own so the engine knows one
 * of each: `transform.timestamp_field` is `timestamp_path`, `state.watermark_*` is
 * `incremental_from` (the same newest-value watermark, stored under `state.state_key`).
 */
export function withHelrSpellings(source: SourceConfig): SourceConfig {
  const timestampPath = source.timestamp_path ?? source.transform?.timestamp_field;
  const watermark = source.state;
  const incremental =
    source.incremental_from ?? (watermark && { state_key: watermark.state_key, event_timestamp_path: watermark.watermark_field, param_name: watermark.watermark_param, overlap_secs: 0 });
  return { ...source, timestamp_path: timestampPath, incremental_from: incremental };
}

/** Keys given under both spellings with different values (checked on the folded source): the config must say which it means. */
export function helrSpellingIssues(source: SourceConfig): { path: string[]; message: string; hint: string }[] {
  const issues: { path: string[]; message: string; hint: string }[] = [];
  const field = source.transform?.timestamp_field;
  if (field !== undefined && source.timestamp_path !== undefined && field !== source.timestamp_path) {
    issues.push({ path: ['transform', 'timestamp_field'], message: `differs from timestamp_path (${source.timestamp_path})`, hint: 'keep one of them: they name the same thing' });
  }
  const state = source.state;
  const incremental = source.incremental_from;
  if (
    state !== undefined &&
    incremental !== undefined &&
    (incremental.event_timestamp_path !== state.watermark_field || incremental.param_name !== state.watermark_param || incremental.state_key !== state.state_key)
  ) {
    issues.push({
      path: ['state'],
      message: 'a source keeps one watermark: state.watermark_* and incremental_from are both set',
      hint: 'keep one of them (state.watermark_field is incremental_from.event_timestamp_path)',
    });
  }
  if (source.from_param !== undefined && source.from === undefined) {
    issues.push({ path: ['from_param'], message: 'from_param is set but from is not', hint: 'set from: to the start of the range, e.g. 2026-01-01T00:00:00Z' });
  }
  if (source.max_line_bytes_behavior !== undefined && source.max_line_bytes === undefined) {
    issues.push({
      path: ['max_line_bytes_behavior'],
      message: 'max_line_bytes_behavior is set but max_line_bytes is not',
      hint: 'set max_line_bytes to the longest line, in bytes, your pipeline accepts',
    });
  }
  if (source.from !== undefined && source.time_window !== undefined) {
    issues.push({
      path: ['from'],
      message: 'from does not apply to a time_window source',
      hint: 'remove from: the first window starts time_window.initial_lookback_secs back, or at the start written in the URL',
    });
  }
  return issues;
}
