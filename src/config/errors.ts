import { HelError } from '../errors.js';

/** One problem in a config file, located so the user can jump to it. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted key path, e.g. sources.1password-audit.pagination.cursor_path */
  path: string;
  message: string;
  hint?: string;
}

/**
 * All problems found in a config file at once: a HelError with code HEL_CONFIG whose issues keep
 * their file, line, key path and hint. Rendered as one line per problem:
 * `hel.yaml:12:7 sources.x.pagination.cursor_pth: unknown key (did you mean "cursor_path"?)`
 */
export class ConfigError extends HelError {
  readonly isConfigError = true;
  declare readonly code: 'HEL_CONFIG';
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super('HEL_CONFIG', issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }

  render(): string {
    const n = this.issues.length;
    const head = `hel: config invalid (${n} problem${n === 1 ? '' : 's'}):`;
    return [head, ...this.issues.map((i) => '  ' + formatIssue(i))].join('\n');
  }
}

function formatIssue(issue: ConfigIssue): string {
  const loc = [issue.file, issue.line, issue.column].filter((x) => x !== undefined).join(':');
  const path = issue.path ? ` ${issue.path}:` : '';
  const hint = issue.hint ? ` (${issue.hint})` : '';
  return `${loc}${path} ${issue.message}${hint}`;
}

export function isConfigError(value: unknown): value is ConfigError {
  return typeof value === 'object' && value !== null && (value as { isConfigError?: unknown }).isConfigError === true;
}
