import { PackedStrings, grown } from './packed-strings.ts';

/**
 * Meter id → slot, the row number of the meter in the stream's columns (registry copy and
 * per-meter state). Slots are handed out once and never change, so a registry reload and the
 * stream state agree on them. Open addressing over typed arrays with the ids packed in one
 * buffer: at a million meters, one hash and one probe per reading and nothing for the garbage
 * collector to trace (a Map would hold a million key strings).
 */
export class MeterIndex {
  private readonly ids = new PackedStrings();
  /** slot + 1 per bucket, 0 = empty; power-of-two length, at most half full */
  private table = new Int32Array(1 << 11);
  /** hash of each slot's id, to rebuild the table without hashing again */
  private hashes = new Int32Array(1 << 10);

  get size(): number {
    return this.ids.size;
  }

  /** The meter's slot, or -1 when it has none. */
  slotOf(meterId: string): number {
    const mask = this.table.length - 1;
    for (let b = hashOf(meterId) & mask; ; b = (b + 1) & mask) {
      const entry = this.table[b]!;
      if (entry === 0) return -1;
      if (this.ids.equals(entry - 1, meterId)) return entry - 1;
    }
  }

  /** The meter's slot, handed out now when it has none. */
  add(meterId: string): number {
    const hash = hashOf(meterId);
    const mask = this.table.length - 1;
    let b = hash & mask;
    for (; ; b = (b + 1) & mask) {
      const entry = this.table[b]!;
      if (entry === 0) break;
      if (this.ids.equals(entry - 1, meterId)) return entry - 1;
    }
    const slot = this.ids.add(meterId);
    if (slot >= this.hashes.length) this.hashes = grown(this.hashes, slot + 1);
    this.hashes[slot] = hash;
    this.table[b] = slot + 1;
    if (2 * (slot + 1) > this.table.length) this.rehash();
    return slot;
  }

  /** The id of a slot (a new string: for the rare paths). */
  idOf(slot: number): string {
    return this.ids.get(slot);
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let slot = 0; slot < this.ids.size; slot++) {
      let b = this.hashes[slot]! & mask;
      while (table[b] !== 0) b = (b + 1) & mask;
      table[b] = slot + 1;
    }
    this.table = table;
  }
}

/** FNV-1a over the UTF-16 code units, then a final mix so that ids differing in the last digits spread. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
