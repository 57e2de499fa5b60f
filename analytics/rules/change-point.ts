import { median, robustSd } from '../stats.ts';

/**
 * A sustained step down in a customer's usage, found in its year-over-year log ratios
 * r[i] = log(usage[i] / usage[i − 12]) (undefined where either month is missing).
 *
 * A step at month k (usage × f from k on) leaves a "box" in that series: r ≈ 0 before k
 * (both years before the step), r ≈ log f for k ≤ i < k + 12 (this year after the step, last
 * year before it), and r ≈ 0 again from k + 12 (both years after it). Season and the
 * customer's habits cancel in every ratio, so no reference outside the customer is needed,
 * and the box dates a step made before a full year of history: its end, twelve months after
 * the step, is where usage returns to last year's (already lowered) level.
 */

/** log ratio −0.55 ≈ −42 %: deeper than an ordinary change of habit (yoy_deviation reports those). */
export const SHIFT = 0.55;
/** Months tracking last year before the step, for a step dated by its start (the classic case). */
export const MIN_BEFORE = 3;
/** Months below last year a step needs when fewer than MIN_BEFORE months before it can be compared. */
export const MIN_IN_THIN = 3;
/** log(0.2): after the change the meter still registers at least a fifth of the gas (else stuck or dead). */
const PASSES_SOME = Math.log(0.2);

export interface Step {
  /** index of the first month after the step */
  k: number;
  /** median(outside) − median(inside) of the log ratios: how far usage stepped down */
  shift: number;
  /** the shift in robust SDs of the customer's own year-over-year noise, weighted by evidence */
  z: number;
  /** months below last year (inside the box) */
  monthsLow: number;
}

const at = (r: readonly (number | undefined)[], i: number): number | undefined => (i >= 0 && i < r.length ? r[i] : undefined);

function firstDefined(r: readonly (number | undefined)[], from: number): number | undefined {
  for (let i = from; i < r.length; i++) if (r[i] !== undefined) return r[i];
  return undefined;
}

/** The best-supported step down in the series, or undefined. `minAfter`: months after the step for a classic (dated-by-start) step. */
export function findYoyStep(r: readonly (number | undefined)[], minAfter = 1): Step | undefined {
  let best: Step | undefined;
  for (let k = 1; k < r.length; k++) {
    // The box's first month must be low enough (below), whatever the median outside is:
    // |median outside| ≤ SHIFT / 2, so low enough means ≤ SHIFT / 2 − 2·SHIFT / 3. Checked
    // first, without building the arrays: most months of most customers start no box.
    const first = firstDefined(r, k);
    if (first === undefined || first > -SHIFT / 6) continue;
    const inside: number[] = [];
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < r.length; i++) {
      const v = r[i];
      if (v === undefined) continue;
      if (i < k) before.push(v);
      else if (i < k + 12) inside.push(v);
      else after.push(v);
    }
    const outside = [...before, ...after];
    if (inside.length === 0 || outside.length === 0) continue;
    const classic = before.length >= MIN_BEFORE;
    if (inside.length < (classic ? minAfter : MIN_IN_THIN)) continue;
    // Both edges of the box must be seen where they fall inside the series: the month before
    // the step tracks last year and the step month itself is down (dates 异动时间, domain.md §6);
    // a year later the first month back at last year's level closes the box.
    if (k - 1 >= 0 && at(r, k - 1) === undefined && before.length > 0) continue;
    // (A step month whose year-earlier month was not read completely — the first month of
    // the history — is dated by the box's end instead, when that is seen.)
    if (at(r, k) === undefined && k >= 12 && at(r, k + 12) === undefined) continue;
    if (k + 12 < r.length && at(r, k + 12) === undefined) continue;
    const mOut = median(outside);
    const mIn = median(inside);
    const shift = mOut - mIn;
    // Outside the box the customer tracks its own last year.
    if (shift < SHIFT || Math.abs(mOut) > SHIFT / 2) continue;
    const lowEnough = (v: number) => v <= mOut - (2 * SHIFT) / 3;
    // The first and last months of the box are down (they date it); inside, over four
    // months or more, the upper quartile is (one odd summer month does not undo a bypass).
    const sorted = [...inside].sort((a, b) => a - b);
    const high = inside.length >= 4 ? sorted[Math.floor(0.75 * (sorted.length - 1))]! : sorted[sorted.length - 1]!;
    const low = inside.length >= 4 ? sorted[Math.floor(0.25 * (sorted.length - 1))]! : sorted[0]!;
    if (!lowEnough(high) || !lowEnough(inside[0]!) || !lowEnough(inside[inside.length - 1]!)) continue;
    if (low < mOut + PASSES_SOME) continue;
    // The months just outside the box are back at last year's level: they date its edges.
    const edgeBefore = at(r, k - 1);
    const edgeAfter = at(r, k + 12);
    if ((edgeBefore !== undefined && lowEnough(edgeBefore)) || (edgeAfter !== undefined && lowEnough(edgeAfter))) continue;
    // Outside the box every month stays near last year: a second step would be another story.
    const far = outside.filter((v) => Math.abs(v - mOut) > (2 * SHIFT) / 3).length;
    if (far > Math.floor(outside.length / 4)) continue;
    const sd = Math.max(robustSd([...outside.map((v) => v - mOut), ...inside.map((v) => v - mIn)]), 0.05);
    const evidence = Math.min(1, Math.sqrt(inside.length / 3)) * Math.min(1, Math.sqrt(outside.length / 3));
    const z = (shift / sd) * evidence;
    if (!best || z > best.z) best = { k, shift, z, monthsLow: inside.length };
  }
  return best;
}

/** Months after a step a level series (season taken out by the fleet's shape) needs: a coarser reference than the customer's own last year. */
export const LEVEL_MIN_AFTER = 4;

/**
 * A sustained step down in a de-seasonalised level series (log of usage over the category's
 * seasonal shape), for customers without the year of history the year-over-year box needs:
 * before the step the level is steady, after it every month stays clearly below for at
 * least LEVEL_MIN_AFTER months.
 */
export function findLevelStep(levels: readonly number[]): Step | undefined {
  let best: Step | undefined;
  for (let k = MIN_BEFORE; k <= levels.length - LEVEL_MIN_AFTER; k++) {
    const before = levels.slice(0, k);
    const after = levels.slice(k);
    const mb = median(before);
    const ma = median(after);
    const shift = mb - ma;
    if (shift < SHIFT) continue;
    // Steady before: the shape explains the customer's months (a badly fitting shape is no reference).
    if (before.some((v) => Math.abs(v - mb) > SHIFT / 2)) continue;
    // Every month after is clearly below, and some gas still registers.
    if (after.some((v) => v > mb - (2 * SHIFT) / 3 || v < mb + PASSES_SOME)) continue;
    const sd = Math.max(robustSd([...before.map((v) => v - mb), ...after.map((v) => v - ma)]), 0.05);
    const z = (shift / sd) * Math.min(1, Math.sqrt(after.length / 6));
    if (!best || z > best.z) best = { k, shift, z, monthsLow: after.length };
  }
  return best;
}
