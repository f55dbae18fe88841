import { HelError } from '../../errors.js';

/** The placeholder a subject template may contain; replaced by the (encoded) source name. */
const SOURCE_PLACEHOLDER = '{source}';

/** What a subject token may hold unencoded: NATS's recommended characters, minus the separators and wildcards. */
const PLAIN = /[A-Za-z0-9_-]/;

/**
 * A source name as one subject token. Source names may contain `.`, which would split the token,
 * so every character outside [A-Za-z0-9_-] becomes `~` and its code in hex: `okta.audit` →
 * `okta~2eaudit`. The mapping is injective, so two sources never share a subject.
 */
export function subjectToken(source: string): string {
  let out = '';
  for (const ch of source) out += PLAIN.test(ch) ? ch : `~${ch.codePointAt(0)!.toString(16)}`;
  return out;
}

/** A validated subject template; `subjectFor` renders it per source. */
export class SubjectTemplate {
  private readonly cache = new Map<string, string>();

  constructor(readonly template: string) {
    const rendered = template.split(SOURCE_PLACEHOLDER).join('x');
    const tokens = rendered.split('.');
    if (tokens.some((t) => t === '' || /[\s*>]/.test(t))) {
      throw new HelError('HEL_CONFIG', `the NATS subject "${template}" is not a valid publish subject`, {
        hint: 'use dot-separated tokens without spaces or wildcards (* >), e.g. hel.events.{source}',
      });
    }
  }

  get perSource(): boolean {
    return this.template.includes(SOURCE_PLACEHOLDER);
  }

  subjectFor(source: string): string {
    let subject = this.cache.get(source);
    if (subject === undefined) {
      subject = this.template.split(SOURCE_PLACEHOLDER).join(subjectToken(source));
      this.cache.set(source, subject);
    }
    return subject;
  }

  /** The subject filter that captures every source's subject: the placeholder becomes `*`. */
  filter(): string {
    return this.template
      .split('.')
      .map((t) => (t.includes(SOURCE_PLACEHOLDER) ? '*' : t))
      .join('.');
  }
}

/** Whether the stream subject `pattern` (with * and > wildcards) captures every subject matched by `filter`. */
export function subjectCovers(pattern: string, filter: string): boolean {
  const p = pattern.split('.');
  const f = filter.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return f.length > i;
    if (i >= f.length) return false;
    if (f[i] === '>') return false;
    if (p[i] !== '*' && p[i] !== f[i]) return false;
  }
  return p.length === f.length;
}
