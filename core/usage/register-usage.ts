import type { MeterReplacement } from '../registry/replacement.ts';

/**
 * Usage from a cumulative register (domain.md §3, issue 4 item 3), in pure TypeScript: the
 * reference the SQL pushdown (storage/usage/monthly-usage-sql.ts) is checked against, and
 * what the single-meter API uses.
 *
 * The register is turned into segments between consecutive reads. A segment's usage is the
 * register advance, spread evenly over its time span, so a monthly handheld read on the 17th
 * splits its usage between two months in proportion to the days on each side.
 * A replacement ends the old register at `finalReading` and starts the new one at
 * `newReading`: the jump between the two never counts. A register that runs backwards
 * (misread, broken meter: analytics' `broken_meter` rule) yields 0 for that segment, never
 * negative usage; the amount is kept in `backwards` as evidence.
 */

export interface RegisterRead {
  ts: number;
  reading: number;
  estimated?: boolean | undefined;
}

export interface UsageSegment {
  start: number;
  end: number;
  /** Register advance over the segment, m³, ≥ 0. */
  usage: number;
  /** Either end of the segment is an estimated read (估表). */
  estimated: boolean;
  /** How far the register went back in this segment (0 when it did not). */
  backwards: number;
}

export interface PeriodUsage {
  start: number;
  end: number;
  /** m³ in the period; null when no read pair covers any of it. */
  usage: number | null;
  estimated: boolean;
  /** Share of the period covered by read pairs, 0..1 (below 1: the period is only partly known). */
  coverage: number;
}

export interface BillingPeriod {
  start: number;
  end: number;
  startReading: number;
  endReading: number;
  usage: number;
  estimated: boolean;
  /** A replacement happened inside the period. */
  replaced: boolean;
}

function segment(a: RegisterRead, b: RegisterRead): UsageSegment {
  const delta = b.reading - a.reading;
  return { start: a.ts, end: b.ts, usage: Math.max(0, delta), estimated: Boolean(a.estimated || b.estimated), backwards: delta < 0 ? -delta : 0 };
}

/** Reads sorted by time, one per timestamp (the last one given wins, like DEDUP UPSERT). */
export function normaliseReads(reads: readonly RegisterRead[]): RegisterRead[] {
  const byTs = new Map<number, RegisterRead>();
  for (const r of reads) byTs.set(r.ts, r);
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

export function registerSegments(reads: readonly RegisterRead[], replacements: readonly MeterReplacement[] = []): UsageSegment[] {
  const sorted = normaliseReads(reads);
  const swaps = [...replacements].sort((a, b) => a.ts - b.ts);
  const out: UsageSegment[] = [];
  let prev: RegisterRead | undefined;
  let i = 0;
  for (const read of sorted) {
    // A replacement at the same instant as a read comes first: that read is on the new register.
    while (i < swaps.length && (swaps[i] as MeterReplacement).ts <= read.ts) {
      const swap = swaps[i++] as MeterReplacement;
      if (prev && swap.ts > prev.ts) out.push(segment(prev, { ts: swap.ts, reading: swap.finalReading }));
      prev = { ts: swap.ts, reading: swap.newReading };
    }
    if (prev && read.ts > prev.ts) out.push(segment(prev, read));
    prev = read;
  }
  while (i < swaps.length) {
    const swap = swaps[i++] as MeterReplacement;
    if (prev && swap.ts > prev.ts) out.push(segment(prev, { ts: swap.ts, reading: swap.finalReading }));
    prev = { ts: swap.ts, reading: swap.newReading };
  }
  return out;
}

/**
 * Usage per period for consecutive period starts `edges` (the last edge closes the last
 * period). Segments are pro-rated linearly by the time they overlap each period.
 */
export function usageByPeriod(segments: readonly UsageSegment[], edges: readonly number[]): PeriodUsage[] {
  const periods: PeriodUsage[] = [];
  for (let p = 0; p + 1 < edges.length; p++) {
    periods.push({ start: edges[p] as number, end: edges[p + 1] as number, usage: null, estimated: false, coverage: 0 });
  }
  if (periods.length === 0) return periods;
  const covered = new Array<number>(periods.length).fill(0);
  const sums = new Array<number>(periods.length).fill(0);
  for (const s of segments) {
    const span = s.end - s.start;
    if (span <= 0) continue;
    for (let p = firstPeriodEndingAfter(periods, s.start); p < periods.length; p++) {
      const period = periods[p] as PeriodUsage;
      if (period.start >= s.end) break;
      const overlap = Math.min(s.end, period.end) - Math.max(s.start, period.start);
      if (overlap <= 0) continue;
      sums[p] = (sums[p] as number) + (s.usage * overlap) / span;
      covered[p] = (covered[p] as number) + overlap;
      if (s.estimated) period.estimated = true;
    }
  }
  periods.forEach((period, p) => {
    period.coverage = Math.min(1, (covered[p] as number) / (period.end - period.start));
    period.usage = (covered[p] as number) > 0 ? (sums[p] as number) : null;
  });
  return periods;
}

function firstPeriodEndingAfter(periods: readonly PeriodUsage[], t: number): number {
  let lo = 0;
  let hi = periods.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((periods[mid] as PeriodUsage).end <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Read-to-read usage (billing periods): each pair of consecutive reads, replacements included. */
export function billingPeriods(reads: readonly RegisterRead[], replacements: readonly MeterReplacement[] = []): BillingPeriod[] {
  const sorted = normaliseReads(reads);
  const segments = registerSegments(sorted, replacements);
  const out: BillingPeriod[] = [];
  let s = 0;
  for (let k = 1; k < sorted.length; k++) {
    const a = sorted[k - 1] as RegisterRead;
    const b = sorted[k] as RegisterRead;
    let usage = 0;
    let parts = 0;
    while (s < segments.length && (segments[s] as UsageSegment).end <= b.ts) {
      const seg = segments[s++] as UsageSegment;
      if (seg.start >= a.ts) {
        usage += seg.usage;
        parts++;
      }
    }
    out.push({
      start: a.ts,
      end: b.ts,
      startReading: a.reading,
      endReading: b.reading,
      usage,
      estimated: Boolean(a.estimated || b.estimated),
      replaced: replacements.some((r) => r.ts > a.ts && r.ts <= b.ts) || parts > 1,
    });
  }
  return out;
}
