import type { RegisterPoint } from './monthly-usage.ts';

/** When the register last moved and since when it stands still (the columns of queries.ts FlatRow). */
export interface RegisterFlat {
  /** the read before the newest step (undefined: the register never changed) */
  lastChange: number | undefined;
  /** the first read that shows the standing value */
  flatSince: number;
  firstTs: number;
  reads: number;
}

/**
 * The same as `lastRegisterChange` (queries.ts) computed from a meter's reads, when every
 * read is known here: the month aggregates carry each month's first and last read, which
 * are all of them for a meter read at most twice a month (a handheld's monthly read). A
 * step larger than half the register's resolution is a change. Reads after `asOf` are not
 * seen; undefined when there is no read by then.
 */
export function registerFlat(points: readonly RegisterPoint[], asOf: number): RegisterFlat | undefined {
  let n = 0;
  while (n < points.length && points[n]!.t <= asOf) n++;
  if (n === 0) return undefined;
  for (let k = n - 1; k > 0; k--) {
    if (Math.abs(points[k]!.r - points[k - 1]!.r) > 0.0005) return { lastChange: points[k - 1]!.t, flatSince: points[k]!.t, firstTs: points[0]!.t, reads: n };
  }
  return { lastChange: undefined, flatSince: points[0]!.t, firstTs: points[0]!.t, reads: n };
}
