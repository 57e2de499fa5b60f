/**
 * One copy of each distinct string. Rows decoded from QuestDB carry a fresh string per
 * field and row: a registry copy of a million meters held a million copies of "residential",
 * "active" and each district's name, all of them for the garbage collector to visit.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  of<T extends string | null | undefined>(value: T): T {
    if (typeof value !== 'string') return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    this.strings.set(value, value);
    return value;
  }

  get size(): number {
    return this.strings.size;
  }
}
