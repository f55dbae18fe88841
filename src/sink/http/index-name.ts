const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Expands an index template (`hel-%Y.%m.%d`) for an event time, in UTC. The event's own time is
 * used, not the time of sending, so a re-sent event lands in the index that already has it.
 * Events without a time use `now`.
 */
export function indexNamer(template: string, now: () => number): (timeMs: number | undefined) => string {
  if (!template.includes('%')) return () => template;
  const cache = new Map<number, string>();
  return (timeMs) => {
    const hour = Math.floor((timeMs ?? now()) / 3_600_000);
    let name = cache.get(hour);
    if (name === undefined) {
      const d = new Date(hour * 3_600_000);
      const fields: Record<string, string> = { Y: String(d.getUTCFullYear()), m: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()), H: pad(d.getUTCHours()), '%': '%' };
      name = template.replace(/%([YmdH%])/g, (_, f: string) => fields[f]!);
      if (cache.size > 1000) cache.clear();
      cache.set(hour, name);
    }
    return name;
  };
}
