/** The target of the Link header entry with `rel` (RFC 8288), resolved against the response URL. */
export function parseLinkHeader(header: string | undefined, rel: string, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const params = m[2] ?? '';
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const values = (rels?.[1] ?? rels?.[2] ?? '').toLowerCase().split(/\s+/);
    if (values.includes(rel.toLowerCase())) {
      try {
        return new URL(m[1]!, base).toString();
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
