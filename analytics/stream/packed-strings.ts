/**
 * Many short strings (meter ids, customer ids) in one growable buffer of UTF-16 code units:
 * a million of them are two typed arrays for the garbage collector, not a million objects
 * to trace on every major collection (issue: analytics, item 6: stream rules under 10 % of
 * ingest at a million meters).
 */
export class PackedStrings {
  private chars = new Uint16Array(1 << 16);
  /** entry n spans chars[starts[n] .. starts[n + 1]) */
  private starts = new Int32Array(1 << 10);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Appends `s` and returns its entry number. */
  add(s: string): number {
    const n = this.count;
    if (n + 2 > this.starts.length) this.starts = grown(this.starts, n + 2);
    const from = this.starts[n]!;
    if (from + s.length > this.chars.length) this.chars = grown(this.chars, from + s.length);
    for (let i = 0; i < s.length; i++) this.chars[from + i] = s.charCodeAt(i);
    this.starts[n + 1] = from + s.length;
    this.count = n + 1;
    return n;
  }

  /** True when entry n holds exactly `s`. */
  equals(n: number, s: string): boolean {
    const from = this.starts[n]!;
    if (this.starts[n + 1]! - from !== s.length) return false;
    for (let i = 0; i < s.length; i++) if (this.chars[from + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** Entry n as a string (a new string each call: for the rare paths, such as raising an alert). */
  get(n: number): string {
    const from = this.starts[n]!;
    const to = this.starts[n + 1]!;
    let s = '';
    for (let i = from; i < to; i += 4096) s += String.fromCharCode(...this.chars.subarray(i, Math.min(to, i + 4096)));
    return s;
  }
}

/** A copy of `a` at least `min` long (capacity doubles). */
export function grown<T extends Uint16Array | Int32Array | Uint8Array | Float64Array>(a: T, min: number): T {
  let length = Math.max(a.length, 1) * 2;
  while (length < min) length *= 2;
  const next = new (a.constructor as new (n: number) => T)(length);
  next.set(a);
  return next;
}
