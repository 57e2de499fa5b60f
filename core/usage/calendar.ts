import { DateTime } from 'luxon';

export type Granularity = 'day' | 'month';

/**
 * Period starts covering [from, to) in the company time zone (interface.md "Time":
 * calendar periods in MW_TIMEZONE), plus the end of the last period. `from` is floored
 * to its period; the last period is the one containing `to - 1`.
 */
export function calendarEdges(from: number, to: number, granularity: Granularity, zone: string): number[] {
  const edges: number[] = [];
  let t = DateTime.fromMillis(from, { zone }).startOf(granularity);
  const limit = 20_000; // 54 years of days: a guard against a runaway range
  while (edges.length < limit) {
    edges.push(t.toMillis());
    if (t.toMillis() >= to) break;
    t = t.plus(granularity === 'day' ? { days: 1 } : { months: 1 });
  }
  if (edges.length === 1) edges.push(DateTime.fromMillis(edges[0] as number, { zone }).plus(granularity === 'day' ? { days: 1 } : { months: 1 }).toMillis());
  return edges;
}

/** The same instant one calendar year earlier in `zone` (29 Feb maps to 28 Feb). */
export function yearEarlier(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).minus({ years: 1 }).toMillis();
}
