import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, median, robustSd, round } from '../stats.ts';
import { findLevelStep, findYoyStep, LEVEL_MIN_AFTER, MIN_BEFORE, SHIFT, type Step } from './change-point.ts';
import { candidate, completeMonths, type BatchContext, type MeterSeries } from './context.ts';
import { MIN_BASE_M3 } from './seasonal.ts';
import type { MonthUsage } from '../batch/monthly-usage.ts';

/**
 * tamper by change point (domain.md §6: tampering is dated by the change point in the usage
 * history, 异动时间): the month from which usage steps down against the same month last
 * year and stays down, while outside that year the customer tracks its own last year
 * (rules/change-point.ts). A step before a full year of history is dated by the end of its
 * year-over-year "box", and confirmed against the category's seasonal shape when the fleet
 * is large enough to have one. Bulk meters have bulk_drop for the same shape.
 */

/** Small users are too noisy for a change point to mean tampering (m³ per month, upper quartile of all months or of those before the change). */
const MIN_MONTHLY = 5;
/** Complete months a step needs before a year of history when its start is not seen in the year-over-year series. */
const SHAPE_WINDOW = 3;

/** log(usage / same month last year) per month index of s.months; undefined where either is not completely read. */
function yoyRatios(s: MeterSeries, complete: ReadonlyMap<number, { usage: number }>): (number | undefined)[] {
  const r: (number | undefined)[] = s.months.map(() => undefined);
  for (let i = 12; i < s.months.length; i++) {
    const m = complete.get(s.months[i]!.start);
    const prev = complete.get(s.months[i - 12]!.start);
    // A month before gas-on is not a baseline (domain.md §2: newly activated customers).
    if (s.info.activatedAt !== undefined && s.months[i - 12]!.start < s.info.activatedAt) continue;
    if (m && prev && prev.usage >= MIN_BASE_M3) r[i] = Math.log(Math.max(m.usage, 0.01) / prev.usage);
  }
  return r;
}

/**
 * A step whose start lies before the year-over-year series (k < 12) is inferred from the box's
 * end alone; where the category's seasonal shape is known, the customer's own de-seasonalised
 * level must drop there too (a dip at the start of the second year leaves the same box).
 */
function confirmedByShape(s: MeterSeries, step: Step, complete: ReadonlyMap<number, { usage: number }>, shape: ReadonlyMap<string, number> | undefined): boolean {
  if (step.k >= 12 || !shape) return true;
  const level = (i: number): number | undefined => {
    const m = s.months[i];
    const u = m && complete.get(m.start);
    const f = m && shape.get(`${s.info.category ?? 'unknown'}|${m.start}`);
    return u && f !== undefined && f > 0 ? Math.log(Math.max(u.usage, 0.01) / f) : undefined;
  };
  // The shape is a reference only for a customer it fits: after the step the de-seasonalised
  // level should be flat. A cooking-only customer in a heating fleet is no such customer.
  const settled: number[] = [];
  for (let i = step.k; i < s.months.length; i++) {
    const v = level(i);
    if (v !== undefined) settled.push(v);
  }
  if (settled.length < SHAPE_WINDOW || robustSd(settled) > SHIFT / 2) return true;
  const before: number[] = [];
  const after: number[] = [];
  for (let i = Math.max(0, step.k - SHAPE_WINDOW); i < step.k; i++) {
    const v = level(i);
    if (v !== undefined) before.push(v);
  }
  for (let i = step.k; i < step.k + SHAPE_WINDOW; i++) {
    const v = level(i);
    if (v !== undefined) after.push(v);
  }
  // Without a usable shape around the step there is nothing to contradict the box.
  if (before.length === 0 || after.length === 0) return true;
  return median(before) - median(after) >= SHIFT / 2;
}

interface Found {
  step: Step;
  change: { start: number };
  basis: 'year_over_year' | 'fleet_season';
  series: { month: number; ratio: number }[];
}

function yoyStep(s: MeterSeries, ratios: readonly (number | undefined)[], complete: ReadonlyMap<number, { usage: number }>, shape: ReadonlyMap<string, number> | undefined): Found | undefined {
  const step = findYoyStep(ratios);
  if (!step || !confirmedByShape(s, step, complete, shape)) return undefined;
  const series = ratios.flatMap((r, i) => (r === undefined ? [] : [{ month: s.months[i]!.start, ratio: round(Math.exp(r), 3) }]));
  return { step, change: s.months[step.k]!, basis: 'year_over_year', series };
}

/**
 * Without a year of history: the customer's own level with the season taken out by the
 * category's shape, only where the fleet has one for every month of the customer's history
 * (fleetSeasonalShape keeps only months on which enough customers agree).
 */
function levelStep(s: MeterSeries, complete: ReadonlyMap<number, MonthUsage>, shape: ReadonlyMap<string, number> | undefined): Found | undefined {
  if (!shape) return undefined;
  const points: { start: number; r: number }[] = [];
  for (const m of [...complete.values()].sort((a, b) => a.start - b.start)) {
    const f = shape.get(`${s.info.category ?? 'unknown'}|${m.start}`);
    if (f === undefined || !(f > 0)) return undefined;
    points.push({ start: m.start, r: Math.log(Math.max(m.usage, 0.01) / f) });
  }
  const step = findLevelStep(points.map((p) => p.r));
  if (!step) return undefined;
  return { step, change: points[step.k]!, basis: 'fleet_season', series: points.map((p) => ({ month: p.start, ratio: round(Math.exp(p.r), 3) })) };
}

function upperQuartile(sorted: readonly number[]): number {
  return sorted[Math.floor(0.75 * (sorted.length - 1))]!;
}

/** At least MIN_BEFORE complete months before `start`, whose upper quartile is at least MIN_MONTHLY. */
function largeBefore(complete: ReadonlyMap<number, MonthUsage>, start: number): boolean {
  const before: number[] = [];
  for (const m of complete.values()) if (m.start < start) before.push(m.usage);
  return before.length >= MIN_BEFORE && upperQuartile(before.sort((a, b) => a - b)) >= MIN_MONTHLY;
}

export function tamperChangePoint(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (s.info.category === 'supply' || s.info.category === 'residential_bulk' || s.info.status !== 'active') continue;
    const complete = new Map(completeMonths(s, ctx.asOf).map((m) => [m.start, m]));
    if (complete.size < MIN_BEFORE + LEVEL_MIN_AFTER) continue;
    const usages = [...complete.values()].map((m) => m.usage).sort((a, b) => a - b);
    // Never this large: no month can say more than noise.
    if (usages[usages.length - 1]! < MIN_MONTHLY) continue;
    // A register standing still now is stuck_meter's case, not a bypass.
    if (s.latest && s.flatSince !== undefined && s.latest.ts - s.flatSince >= ctx.cfg.stuckWindow) continue;
    const ratios = yoyRatios(s, complete);
    const found = ratios.filter((r) => r !== undefined).length >= MIN_BEFORE ? yoyStep(s, ratios, complete, ctx.fleetShape) : levelStep(s, complete, ctx.fleetShape);
    if (!found) continue;
    // Large enough to judge: over all its months, or before the change (a bypass made early
    // in the history makes the customer look small in most of them).
    if (upperQuartile(usages) < MIN_MONTHLY && !largeBefore(complete, found.change.start)) continue;
    const { step, change, series, basis } = found;
    const lastComplete = [...complete.values()].reduce((a, b) => (b.end > a.end ? b : a));
    out.push(
      candidate(s.info, 'tamper', {
        severity: 'critical',
        periodStart: change.start,
        periodEnd: lastComplete.end,
        value: round((Math.exp(-step.shift) - 1) * 100, 1),
        threshold: round((Math.exp(-SHIFT) - 1) * 100, 1),
        score: clampScore(step.z),
        message: `usage stepped down ${round((1 - Math.exp(-step.shift)) * 100, 0)} % ${basis === 'year_over_year' ? 'against the same months a year earlier' : 'against its own level, season taken out'} from this month on and stayed down (change point${basis === 'year_over_year' && step.k < 12 ? ', dated by the return to last year’s level twelve months later' : ''})`,
        evidence: { kind: 'change_point', basis, changeMonth: change.start, monthsLow: step.monthsLow, monthsAfter: s.months.filter((m) => m.start >= change.start && complete.has(m.start)).length, series },
      }),
    );
  }
  return out;
}
