/**
 * Robust statistics for alert scores (interface.md §3: "the deviation in robust standard
 * deviations of its own history"). Median and MAD resist the very outliers we look for.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  // A typed array sorts numerically without a comparator call per step: the batch pass
  // takes a million small medians.
  return sortedMedian(Float64Array.from(values).sort());
}

function sortedMedian(s: Float64Array): number {
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation scaled to a standard deviation for normal data (× 1.4826). */
export function robustSd(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = median(values);
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs(values[i]! - m);
  return 1.4826 * sortedMedian(deviations.sort());
}

/** robustSd of `values` without the one at `skip` (no copy of the rest as an array). */
export function robustSdExcept(values: ArrayLike<number>, skip: number): number {
  const rest = sortedExcept(values, skip);
  return rest.length < 2 ? Number.NaN : madSd(rest, sortedMedian(rest));
}

/** robustZ of values[skip] against the other values (the customer's other months), without building that history as an array. */
export function robustZExcept(values: ArrayLike<number>, skip: number, floor: number, fallbackSd: number, minHistory = 3): number {
  const x = values[skip]!;
  const rest = sortedExcept(values, skip);
  const m = rest.length > 0 ? sortedMedian(rest) : 0;
  if (rest.length < minHistory) return (x - m) / Math.max(fallbackSd, floor);
  return (x - m) / Math.max(madSd(rest, m), floor);
}

function sortedExcept(values: ArrayLike<number>, skip: number): Float64Array {
  const rest = new Float64Array(values.length - (skip >= 0 && skip < values.length ? 1 : 0));
  for (let i = 0, j = 0; i < values.length; i++) if (i !== skip) rest[j++] = values[i]!;
  return rest.sort();
}

/** 1.4826 × the median absolute deviation from m; overwrites `sorted`. */
function madSd(sorted: Float64Array, m: number): number {
  for (let i = 0; i < sorted.length; i++) sorted[i] = Math.abs(sorted[i]! - m);
  return 1.4826 * sortedMedian(sorted.sort());
}

/** Median of an ascending array without the element at `skip`. */
export function sortedMedianExcept(sorted: ArrayLike<number>, skip: number): number {
  const n = sorted.length - 1;
  if (n <= 0) return Number.NaN;
  const at = (k: number) => sorted[k < skip ? k : k + 1]!;
  const mid = n >> 1;
  return n % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/**
 * How many robust SDs `x` lies from `history`. `floor` keeps a flat history (MAD 0) from
 * turning any change into infinity; `fallbackSd` is used when history is too short.
 */
export function robustZ(x: number, history: readonly number[], floor: number, fallbackSd: number, minHistory = 3): number {
  if (history.length < minHistory) return (x - (history.length > 0 ? median(history) : 0)) / Math.max(fallbackSd, floor);
  const sd = Math.max(robustSd(history), floor);
  return (x - median(history)) / sd;
}

/** Rounds for display and storage: scores with two decimals are enough to sort. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function clampScore(x: number): number {
  if (!Number.isFinite(x)) return 99;
  return round(Math.max(0, Math.min(99, x)));
}
