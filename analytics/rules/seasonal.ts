import { median, robustSd, robustSdExcept } from '../stats.ts';
import type { MonthUsage } from '../batch/monthly-usage.ts';
import { completeMonths, type BatchContext, type MeterSeries } from './context.ts';

/** Below this a month's usage is too small for a ratio to mean anything (m³). */
export const MIN_BASE_M3 = 1;

export type YearPair = { m: MonthUsage; prev: MonthUsage };

const pairsCache = new WeakMap<MeterSeries, { asOf: number; complete: MonthUsage[]; pairs: readonly YearPair[] }>();

/** Pairs (month, same month a year earlier), both completely read. Computed once per meter and pass; do not mutate. */
export function yearPairs(s: MeterSeries, asOf: number): readonly YearPair[] {
  const complete = completeMonths(s, asOf);
  const cached = pairsCache.get(s);
  if (cached && cached.asOf === asOf && cached.complete === complete) return cached.pairs;
  const pairs = computeYearPairs(s, complete);
  pairsCache.set(s, { asOf, complete, pairs });
  return pairs;
}

function computeYearPairs(s: MeterSeries, complete: readonly MonthUsage[]): YearPair[] {
  const byStart = new Set(complete.map((m) => m.start));
  const pairs: { m: MonthUsage; prev: MonthUsage }[] = [];
  for (let i = 12; i < s.months.length; i++) {
    const m = s.months[i]!;
    const prev = s.months[i - 12]!;
    // A month before gas-on is not a baseline (domain.md §2: newly activated customers).
    if (s.info.activatedAt !== undefined && prev.start < s.info.activatedAt) continue;
    if (byStart.has(m.start) && byStart.has(prev.start) && prev.usage >= MIN_BASE_M3) pairs.push({ m, prev });
  }
  return pairs;
}

export const logRatio = (p: { m: MonthUsage; prev: MonthUsage }) => Math.log(Math.max(p.m.usage, 0.01) / p.prev.usage);

/** Fewer meters than this in a category and month say nothing about the weather. */
export const MIN_FLEET = 5;
/** A seasonal shape needs more customers than a weather index: it dates a single customer's step. */
const MIN_SHAPE_FLEET = 30;
/**
 * Robust spread (log units) of the customers' month-over-own-median ratios beyond which the
 * category's month has no common shape (a mixed category, or too few heating customers):
 * 0.5 ≈ customers disagreeing by ±65 % on how big the month is.
 */
const MAX_SHAPE_SPREAD = 0.5;

/**
 * The fleet's own year-over-year change per category and month: the median log ratio of
 * every meter of that category. A colder winter (or a lockdown) moves the whole fleet;
 * subtracting it leaves what is particular to one customer — weather normalisation
 * (issue: analytics, item 2) without a temperature series.
 */
export function fleetYoyIndex(ctx: BatchContext): FleetIndex {
  const byKey = new CategoryMonths();
  for (const s of ctx.meters.values()) {
    const months = byKey.of(s.info.category);
    for (const p of yearPairs(s, ctx.asOf)) months.add(p.m.start, logRatio(p));
  }
  const index: FleetIndex = new Map();
  for (const [k, list] of byKey.entries()) if (list.length >= MIN_FLEET) index.set(k, median(list));
  return index;
}

export type FleetIndex = Map<string, number>;

/** A meter's log ratio for a month with the fleet's change for that month taken out. */
export function adjustedLogRatio(s: MeterSeries, p: { m: MonthUsage; prev: MonthUsage }, index: FleetIndex | undefined): number {
  return logRatio(p) - (index?.get(`${s.info.category ?? 'unknown'}|${p.m.start}`) ?? 0);
}

/**
 * How many of its own usual year-over-year swings this month lies from the same month last
 * year: season (and the customer's habits) cancel out, so a winter that is as cold as the
 * last one scores near 0 however much gas it burns. Undefined without last year's month.
 */
export function seasonalZ(s: MeterSeries, monthStart: number, asOf: number, index?: FleetIndex): number | undefined {
  const pairs = yearPairs(s, asOf);
  const self = pairs.findIndex((p) => p.m.start === monthStart);
  if (self < 0) return undefined;
  const ratios = adjustedRatios(s, pairs, index);
  const spread = ratios.length - 1 >= 3 ? Math.max(robustSdExcept(ratios, self), 0.1) : 0.25;
  return ratios[self]! / spread;
}

const ratiosCache = new WeakMap<readonly YearPair[], { index: FleetIndex | undefined; ratios: Float64Array }>();

/** adjustedLogRatio of each pair, computed once per meter and pass (a rule asks for many of its months). */
function adjustedRatios(s: MeterSeries, pairs: readonly YearPair[], index: FleetIndex | undefined): Float64Array {
  const cached = ratiosCache.get(pairs);
  if (cached && cached.index === index) return cached.ratios;
  const ratios = new Float64Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) ratios[i] = adjustedLogRatio(s, pairs[i]!, index);
  ratiosCache.set(pairs, { index, ratios });
  return ratios;
}

/** Spread of month-on-same-month-last-year differences (m³): how well last year predicts this one. */
export function yoyDifferenceSd(s: MeterSeries, asOf: number): number | undefined {
  const diffs = yearPairs(s, asOf).map((p) => p.m.usage - p.prev.usage);
  return diffs.length >= 3 ? robustSd(diffs) : undefined;
}

/**
 * The fleet's seasonal shape per category and month: the median, over meters of the
 * category, of the month's usage over the meter's own median month. A month's usage divided
 * by it is the customer's de-seasonalised level (used where there is no year of history).
 * Only months where at least MIN_SHAPE_FLEET customers agree on the shape are kept.
 */
export function fleetSeasonalShape(ctx: BatchContext): FleetIndex {
  const byKey = new CategoryMonths();
  for (const s of ctx.meters.values()) {
    const months = completeMonths(s, ctx.asOf);
    if (months.length < 6) continue;
    const own = median(months.map((m) => m.usage));
    if (!(own > 0)) continue;
    const byMonth = byKey.of(s.info.category);
    for (const m of months) byMonth.add(m.start, m.usage / own);
  }
  // A shape is only a reference when many customers agree on it.
  const shape: FleetIndex = new Map();
  for (const [k, list] of byKey.entries()) {
    if (list.length < MIN_SHAPE_FLEET) continue;
    const logs = list.filter((v) => v > 0).map(Math.log);
    if (logs.length < MIN_SHAPE_FLEET || robustSd(logs) > MAX_SHAPE_SPREAD) continue;
    shape.set(k, median(list));
  }
  return shape;
}

/**
 * Values per category and month start, gathered without a "category|month" string per value
 * (millions in a pass); entries() gives them under the FleetIndex keys.
 */
class CategoryMonths {
  private readonly byCategory = new Map<string, MonthLists>();

  of(category: string | undefined): MonthLists {
    const k = category ?? 'unknown';
    let months = this.byCategory.get(k);
    if (!months) this.byCategory.set(k, (months = new MonthLists()));
    return months;
  }

  *entries(): IterableIterator<[string, number[]]> {
    for (const [category, months] of this.byCategory) for (const [start, list] of months.lists) yield [`${category}|${start}`, list];
  }
}

class MonthLists {
  readonly lists = new Map<number, number[]>();

  add(start: number, value: number): void {
    const list = this.lists.get(start);
    if (list) list.push(value);
    else this.lists.set(start, [value]);
  }
}
