import { LoopbackReceiver } from './receiver.js';

/** A plain NDJSON receiver: a 2xx means every line of the body is stored. Lines are kept in arrival order. */
export class NdjsonReceiver extends LoopbackReceiver {
  readonly lines: string[] = [];
  private readonly uuidCounts = new Map<string, number>();
  /** Bodies larger than this are refused with 413. */
  maxBodyBytes = Infinity;
  /** Bearer token required when set; a wrong one is echoed in the 401 body, as careless receivers do. */
  token: string | undefined;

  constructor() {
    super((req, respond) => {
      if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) return respond(401, { message: `invalid token: ${req.headers.authorization ?? 'none'}` });
      if (req.body.length > this.maxBodyBytes) return respond(413, { message: 'request entity too large' });
      for (const line of req.body.toString('utf8').split('\n')) {
        if (line === '') continue;
        this.lines.push(line);
        const uuid = String((JSON.parse(line) as { event: Record<string, unknown> }).event.uuid);
        this.uuidCounts.set(uuid, (this.uuidCounts.get(uuid) ?? 0) + 1);
      }
      respond(200, { ok: true });
    });
  }

  /** How many times each value at `key` of the stored lines' `event` was stored. */
  counts(key = 'uuid'): ReadonlyMap<string, number> {
    // Counted as lines arrive (crash tests ask after every run over hundreds of thousands of lines).
    if (key === 'uuid') return this.uuidCounts;
    const counts = new Map<string, number>();
    for (const line of this.lines) {
      const id = String((JSON.parse(line) as { event: Record<string, unknown> }).event[key]);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }
}
