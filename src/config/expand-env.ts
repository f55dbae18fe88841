/**
 * `${VAR}`, `${VAR:-default}` and, as in Helr (shellexpand), `$VAR` in string values. Applied to
 * parsed YAML scalars, never to the raw text, so comments are untouched and line numbers stay
 * true. `$$` escapes a literal dollar. A `$` not followed by a name (`$5`, `a$`) stays as it is.
 */
const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
/** Without the bare form: for values where `$name` is the syntax of another language (GraphQL bodies, hook scripts). */
const BRACED_ONLY = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface ExpandResult {
  value: string;
  /** Variables referenced without a default that are not set. */
  missing: string[];
}

export function expandEnv(text: string, env: NodeJS.ProcessEnv, options: { bare?: boolean } = {}): ExpandResult {
  const missing: string[] = [];
  const value = text.replace(options.bare === false ? BRACED_ONLY : PATTERN, (match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = braced ?? bare;
    const set = env[name!];
    // As in the shell: a variable set to "" is set for ${VAR}; ${VAR:-default} uses the default for it.
    if (set !== undefined && (set !== '' || fallback === undefined)) return set;
    if (fallback !== undefined) return fallback;
    missing.push(name!);
    return match;
  });
  return { value, missing };
}
