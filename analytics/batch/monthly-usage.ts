import { DateTime } from 'luxon';

/** A read of the cumulative register. */
export interface RegisterPoint {
  t: number;
  r: number;
}

export interface MonthUsage {
  start: number;
  end: number;
  usage: number;
  /** reads exist at or before the month's start and at or after its end */
  covered: boolean;
  /** longest gap between reads that overlaps the month, in days (pro-rating over it is an estimate) */
  maxGapDays: number;
  reads: number;
}

const DAY = 86_400_000;
/** A month whose first or last read is this close to its edge counts as read, extrapolated at the nearest rate. */
export const EDGE_TOLERANCE_MS = 36 * 3_600_000;

/** The calendar is precomputed over these years: luxon per meter and month cost seconds at 100k meters. */
const CALENDAR_FROM_YEAR = 1990;
const CALENDAR_TO_YEAR = 2100;
const calendars = new Map<string, number[]>();

/** Every month start in `zone` from 1990 to 2100, ascending (computed once per zone). */
function calendar(zone: string): number[] {
  let starts = calendars.get(zone);
  if (!starts) {
    starts = [];
    let m = DateTime.fromObject({ year: CALENDAR_FROM_YEAR, month: 1, day: 1 }, { zone });
    while (m.year < CALENDAR_TO_YEAR) {
      starts.push(m.toMillis());
      m = m.plus({ months: 1 });
    }
    calendars.set(zone, starts);
  }
  return starts;
}

/** Index of the last month start ≤ t (binary search). */
function monthIndex(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The start of the calendar month (in `zone`) that holds a time, for millions of times in
 * runs of the same or the next month: the last month found is checked first.
 */
export class MonthOf {
  private from = Number.POSITIVE_INFINITY;
  private to = Number.NEGATIVE_INFINITY;
  private readonly starts: number[];

  constructor(private readonly zone: string) {
    this.starts = calendar(zone);
  }

  startOf(t: number): number {
    if (t >= this.from && t < this.to) return this.from;
    const starts = this.starts;
    if (t < starts[0]! || t >= starts[starts.length - 1]!) return DateTime.fromMillis(t, { zone: this.zone }).startOf('month').toMillis();
    const i = monthIndex(starts, t);
    this.from = starts[i]!;
    this.to = starts[i + 1]!;
    return this.from;
  }
}

/** Month starts in `zone` from the month containing `from` up to (excluding) `to`. */
export function monthStarts(from: number, to: number, zone: string): number[] {
  const starts = calendar(zone);
  if (from < starts[0]! || to > starts[starts.length - 1]!) {
    const out: number[] = [];
    let m = DateTime.fromMillis(from, { zone }).startOf('month');
    while (m.toMillis() < to) {
      out.push(m.toMillis());
      m = m.plus({ months: 1 });
    }
    return out;
  }
  const out: number[] = [];
  for (let i = monthIndex(starts, from); i < starts.length && starts[i]! < to; i++) out.push(starts[i]!);
  return out;
}

/** The start of the month after the one starting at `start`. */
function nextMonthStart(start: number, zone: string): number {
  const starts = calendar(zone);
  const i = monthIndex(starts, start);
  if (starts[i] === start && i + 1 < starts.length) return starts[i + 1]!;
  return DateTime.fromMillis(start, { zone }).plus({ months: 1 }).toMillis();
}

/**
 * Calendar-month usage from register reads, consumption between two reads spread linearly
 * over time across month edges (interface.md §3: "usage pro-rated between reads"). A register
 * that runs backwards contributes nothing (broken_meter reports it; a replacement resets it).
 */
export function monthlyUsage(points: readonly RegisterPoint[], to: number, zone: string): MonthUsage[] {
  if (points.length === 0) return [];
  const first = points[0]!.t;
  const last = points[points.length - 1]!.t;
  const starts = monthStarts(first, Math.min(to, last + 1), zone);
  const months: MonthUsage[] = starts.map((start, i) => {
    const end = starts[i + 1] ?? nextMonthStart(start, zone);
    return { start, end, usage: 0, covered: first <= start + EDGE_TOLERANCE_MS && last >= end - EDGE_TOLERANCE_MS, maxGapDays: 0, reads: 0 };
  });
  let mi = 0;
  for (let i = 0; i < points.length; i++) {
    const b = points[i]!;
    while (mi < months.length - 1 && b.t >= months[mi]!.end) mi++;
    if (months[mi] && b.t >= months[mi]!.start && b.t < months[mi]!.end) months[mi]!.reads++;
    if (i === 0) continue;
    const a = points[i - 1]!;
    const span = b.t - a.t;
    if (span <= 0) continue;
    const delta = Math.max(0, b.r - a.r);
    // walk the months this segment overlaps, from the one containing a.t
    let k = mi;
    while (k > 0 && months[k]!.start > a.t) k--;
    for (; k < months.length && months[k]!.start < b.t; k++) {
      const m = months[k]!;
      const overlap = Math.min(b.t, m.end) - Math.max(a.t, m.start);
      if (overlap <= 0) continue;
      m.usage += (delta * overlap) / span;
      m.maxGapDays = Math.max(m.maxGapDays, span / DAY);
    }
  }
  extrapolateEdges(points, months);
  // Pro-rating sums many fractions: 30 m³ must compare as 30, not 29.999999999.
  for (const m of months) m.usage = Math.round(m.usage * 1e6) / 1e6;
  return months;
}

/** Reads a few hours short of a month edge: carry the nearest segment's rate to the edge. */
function extrapolateEdges(points: readonly RegisterPoint[], months: MonthUsage[]): void {
  if (points.length < 2 || months.length === 0) return;
  const rate = (a: RegisterPoint, b: RegisterPoint) => (b.t > a.t ? Math.max(0, b.r - a.r) / (b.t - a.t) : 0);
  const firstMonth = months[0]!;
  const p0 = points[0]!;
  if (p0.t > firstMonth.start && p0.t - firstMonth.start <= EDGE_TOLERANCE_MS) firstMonth.usage += rate(p0, points[1]!) * (p0.t - firstMonth.start);
  const lastMonth = months[months.length - 1]!;
  const pn = points[points.length - 1]!;
  if (pn.t < lastMonth.end && lastMonth.end - pn.t <= EDGE_TOLERANCE_MS) lastMonth.usage += rate(points[points.length - 2]!, pn) * (lastMonth.end - pn.t);
}
