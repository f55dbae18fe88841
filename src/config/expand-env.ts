/**
 * `${VAR}` and `${VAR:-default}` in string values. Applied to parsed YAML scalars, never to the raw
 * text, so comments are untouched and line numbers stay true. `$$` escapes a literal dollar.
 */
const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface ExpandResult {
  value: string;
  /** Variables referenced without a default that are not set. */
  missing: string[];
}

export function expandEnv(text: string, env: NodeJS.ProcessEnv): ExpandResult {
  const missing: string[] = [];
  const value = text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const set = env[name!];
    // As in the shell: a variable set to "" is set for ${VAR}; ${VAR:-default} uses the default for it.
    if (set !== undefined && (set !== '' || fallback === undefined)) return set;
    if (fallback !== undefined) return fallback;
    missing.push(name!);
    return match;
  });
  return { value, missing };
}
