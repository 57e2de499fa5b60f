import { DateTime } from 'luxon';
import { RULE_IDS, type ReadingFlag } from '../core/types.ts';
import type { SimMeter } from './fleet-types.ts';
import { Rng } from './prng.ts';

/**
 * Injected faults, one per rule of interface.md §3 (ic_verification_due is a schedule, not a
 * fault: see truth.ts). Each fault changes either what the customer consumes (true usage) or
 * what the meter registers and reports, from `start` (a day start, epoch ms) on.
 */
export type FaultSpec =
  /** unauthorised capacity increase (私自增容): an extra load of `extraFlow` m³/h from 08:00 to 18:00 */
  | { rule: 'large_flow'; start: number; extraFlow: number }
  /** the customer's consumption shifts by `factor` (< 0.95 or > 1.10) from a month start */
  | { rule: 'yoy_deviation'; start: number; factor: number }
  /** the bulk meter registers only `factor` of the gas (bypass or tampering) */
  | { rule: 'bulk_drop'; start: number; factor: number }
  /** gas lost between the bulk meter and its households rises by `extraLoss` (leak or theft) */
  | { rule: 'bulk_balance'; start: number; extraLoss: number }
  /** a residential customer's month rises to about `targetMonthly` m³ (e.g. private commercial use) */
  | { rule: 'residential_high'; start: number; targetMonthly: number }
  /** register frozen while the customer keeps using gas */
  | { rule: 'stuck_meter'; start: number }
  /** the meter goes silent: no message, no read */
  | { rule: 'dead_meter'; start: number }
  /**
   * at `at` the register runs backwards by `amount` m³ (more than a month of use, so even a
   * monthly read shows it), or jumps by `jumpFactor` × Qmax × interval hours, or (mechanical)
   * the reader finds the meter damaged and can only record an estimate
   */
  | { rule: 'broken_meter'; start: number; at: number; variant: 'backwards' | 'jump' | 'damage'; amount: number; jumpFactor: number }
  /** tamper flags for `flagDays` days and/or a change point after which only `factor` of the gas registers */
  | { rule: 'tamper'; start: number; variant: 'flags' | 'change_point' | 'both'; flag: ReadingFlag; flagDays: number; factor: number }
  /** gas used at a vacant, suspended or sealed customer, `dailyUsage` m³ a day */
  | { rule: 'usage_while_inactive'; start: number; dailyUsage: number };

export type InjectedRule = FaultSpec['rule'];
// Every rule of interface.md §3 but the visit schedule, in the order of core/types.ts
// (faults are dealt round-robin in this order).
export const INJECTED_RULES = RULE_IDS.filter((r): r is InjectedRule => r !== 'ic_verification_due');

const DAY = 86_400_000;

export interface FaultPlanOptions {
  seed: number;
  share: number;
  start: number;
  end: number;
  timezone: string;
}

const isActiveCustomer = (m: SimMeter) => m.record.status === 'active' && m.reports;
const ELIGIBLE: Record<InjectedRule, (m: SimMeter) => boolean> = {
  large_flow: (m) => isActiveCustomer(m) && m.record.kind === 'smart' && ['commercial', 'collective', 'industrial'].includes(m.record.category),
  yoy_deviation: (m) => isActiveCustomer(m) && ['commercial', 'collective', 'residential_bulk'].includes(m.record.category),
  bulk_drop: (m) => m.record.category === 'residential_bulk',
  bulk_balance: (m) => m.record.category === 'residential_bulk',
  residential_high: (m) => isActiveCustomer(m) && m.record.category === 'residential',
  stuck_meter: isActiveCustomer,
  dead_meter: isActiveCustomer,
  broken_meter: isActiveCustomer,
  tamper: isActiveCustomer,
  usage_while_inactive: (m) => m.reports && ['vacant', 'suspended', 'sealed'].includes(m.record.status),
};

/**
 * Gives `share` of the customer meters one fault each, spread evenly over the rules (at least
 * one per rule when any meter is eligible and share > 0). Rules that compare with the same
 * month a year earlier start in month 13 or later, so a detector has the history it needs.
 */
export function assignFaults(meters: SimMeter[], opts: FaultPlanOptions): void {
  if (opts.share <= 0) return;
  const rng = Rng.for(opts.seed, 'faults');
  const total = Math.max(INJECTED_RULES.length, Math.round(meters.length * opts.share));
  const perRule = Math.ceil(total / INJECTED_RULES.length);
  const order = meters.map((m) => ({ m, key: rng.next() })).sort((a, b) => a.key - b.key);
  const placed = new Map<InjectedRule, number>(INJECTED_RULES.map((r) => [r, 0]));
  const exhausted = new Set<InjectedRule>();
  // round robin over the rules, so rules competing for scarce meters (bulk meters) share them
  while (exhausted.size < INJECTED_RULES.length) {
    for (const rule of INJECTED_RULES) {
      if (exhausted.has(rule)) continue;
      if (placed.get(rule)! >= perRule) {
        exhausted.add(rule);
        continue;
      }
      let fault: FaultSpec | undefined;
      let target: SimMeter | undefined;
      for (const { m } of order) {
        if (m.fault || !ELIGIBLE[rule](m)) continue;
        fault = planFault(rule, m, opts, rng);
        if (fault) {
          target = m;
          break;
        }
      }
      if (!target) exhausted.add(rule);
      else {
        target.fault = fault;
        placed.set(rule, placed.get(rule)! + 1);
      }
    }
  }
}

function planFault(rule: InjectedRule, m: SimMeter, o: FaultPlanOptions, rng: Rng): FaultSpec | undefined {
  const zone = o.timezone;
  const monthsInWindow = Math.floor(DateTime.fromMillis(o.end, { zone }).diff(DateTime.fromMillis(o.start, { zone }), 'months').months);
  const historyStart = Math.max(o.start, (m.gasOnAt ?? o.start) + 30 * DAY);
  /** a day start between `from` and `to`, or undefined when the window is too short */
  const dayBetween = (from: number, to: number): number | undefined => {
    if (to <= from) return undefined;
    return DateTime.fromMillis(rng.uniform(from, to), { zone }).startOf('day').toMillis();
  };
  const stateStart = () => dayBetween(Math.max(historyStart, o.start + 60 * DAY), o.end - 50 * DAY) ?? dayBetween(historyStart, o.end - 10 * DAY);
  // rules judged against the same month a year earlier: start in month ≥ 13 of the window
  const yearOn = () => {
    const first = Math.max(13, Math.ceil((historyStart - o.start) / (30 * DAY)) + 12);
    if (monthsInWindow - 1 < first) return stateStart();
    return DateTime.fromMillis(o.start, { zone }).plus({ months: rng.int(first, monthsInWindow - 1) }).toMillis();
  };
  switch (rule) {
    case 'large_flow': {
      const start = stateStart();
      return start === undefined ? undefined : { rule, start, extraFlow: rng.uniform(44, 58) };
    }
    case 'yoy_deviation': {
      const start = yearOn();
      const factor = rng.chance(0.5) ? rng.uniform(0.6, 0.85) : rng.uniform(1.2, 1.5);
      return start === undefined ? undefined : { rule, start, factor };
    }
    case 'bulk_drop': {
      const start = yearOn();
      return start === undefined ? undefined : { rule, start: start + rng.int(0, 20) * DAY, factor: rng.uniform(0.3, 0.6) };
    }
    case 'bulk_balance': {
      const start = stateStart();
      return start === undefined ? undefined : { rule, start, extraLoss: rng.uniform(0.09, 0.15) };
    }
    case 'residential_high': {
      const start = stateStart();
      return start === undefined ? undefined : { rule, start, targetMonthly: rng.uniform(36, 70) };
    }
    case 'stuck_meter': {
      // half of them freeze in the heating season, when a flat register is least explainable
      const winter = rng.chance(0.5) ? winterDay(o, rng, historyStart) : undefined;
      const start = winter ?? stateStart();
      return start === undefined ? undefined : { rule, start };
    }
    case 'dead_meter': {
      const start = stateStart();
      return start === undefined ? undefined : { rule, start };
    }
    case 'broken_meter': {
      const start = stateStart();
      if (start === undefined) return undefined;
      const variant = m.record.kind === 'mechanical' ? rng.pick(['backwards', 'jump', 'damage'] as const) : rng.pick(['backwards', 'jump'] as const);
      return { rule, start, at: start + rng.int(1, 22) * 3_600_000 + 1_800_000, variant, amount: Math.max(5, m.monthlyMean * rng.uniform(1.6, 3)), jumpFactor: rng.uniform(1.5, 3) };
    }
    case 'tamper': {
      const start = dayBetween(Math.max(historyStart + 90 * DAY, o.start + 90 * DAY), o.end - 50 * DAY) ?? stateStart();
      if (start === undefined) return undefined;
      const flagsPossible = m.record.kind !== 'mechanical';
      const variant = flagsPossible ? rng.pick(['flags', 'change_point', 'both'] as const) : 'change_point';
      const flag = rng.pick(['tamper', 'magnet', 'reverse_flow'] as const);
      return { rule, start, variant, flag, flagDays: rng.int(1, 10), factor: rng.uniform(0.3, 0.6) };
    }
    case 'usage_while_inactive': {
      const start = stateStart();
      const dailyUsage = (Math.max(m.monthlyMean, 6) * rng.uniform(0.6, 1)) / 30.4;
      return start === undefined ? undefined : { rule, start, dailyUsage };
    }
  }
}

function winterDay(o: FaultPlanOptions, rng: Rng, historyStart: number): number | undefined {
  const candidates: number[] = [];
  for (let t = Math.max(historyStart, o.start + 60 * DAY); t < o.end - 50 * DAY; t += DAY) {
    const month = DateTime.fromMillis(t, { zone: o.timezone }).month;
    if (month === 12 || month <= 2) candidates.push(t);
  }
  if (candidates.length === 0) return undefined;
  return DateTime.fromMillis(rng.pick(candidates), { zone: o.timezone }).startOf('day').toMillis();
}

// ---- effects of a fault on one day of a meter --------------------------------------------

/** Multiplier on the customer's consumption (true usage). */
export function consumptionFactor(f: FaultSpec | undefined, dayStart: number): number {
  return f?.rule === 'yoy_deviation' && dayStart >= f.start ? f.factor : 1;
}

/** Extra consumption per hour of the day (24 values, m³), or undefined when none. */
export function extraHourly(f: FaultSpec | undefined, dayStart: number, shape: readonly number[]): number[] | undefined {
  if (!f || dayStart < f.start) return undefined;
  if (f.rule === 'large_flow') return Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 18 ? f.extraFlow : 0));
  if (f.rule === 'usage_while_inactive') return shape.map((s) => s * f.dailyUsage);
  if (f.rule === 'residential_high') return shape.map((s) => (s * f.targetMonthly) / 30.4);
  return undefined;
}

/** Share of the consumed gas that the register records. */
export function registeredShare(f: FaultSpec | undefined, dayStart: number): number {
  if (!f || dayStart < f.start) return 1;
  if (f.rule === 'stuck_meter') return 0;
  if (f.rule === 'bulk_drop') return f.factor;
  if (f.rule === 'tamper' && f.variant !== 'flags') return f.factor;
  return 1;
}

/** Extra loss share of a bulk meter (gas lost behind it). */
export function extraBulkLoss(f: FaultSpec | undefined, dayStart: number): number {
  return f?.rule === 'bulk_balance' && dayStart >= f.start ? f.extraLoss : 0;
}

/** Whether the meter sends nothing at `ts`. */
export function isSilent(f: FaultSpec | undefined, ts: number): boolean {
  return f?.rule === 'dead_meter' && ts >= f.start;
}

/** Flags a reading at `ts` carries. */
export function flagsAt(f: FaultSpec | undefined, ts: number): ReadingFlag[] | undefined {
  if (f?.rule !== 'tamper' || f.variant === 'change_point') return undefined;
  return ts > f.start && ts <= f.start + f.flagDays * DAY ? [f.flag] : undefined;
}

export const DAMAGE_NOTE = 'meter damaged: dial glass broken, register unreadable';

/** Whether a read at `ts` finds the meter damaged (the reader records an estimate and a note). */
export function isDamaged(f: FaultSpec | undefined, ts: number): boolean {
  return f?.rule === 'broken_meter' && f.variant === 'damage' && ts >= f.at;
}

/** Register step (m³, may be negative) of a broken meter taking effect in the interval (from, to]. */
export function registerStep(f: FaultSpec | undefined, from: number, to: number, qmax: number): number {
  if (f?.rule !== 'broken_meter' || f.variant === 'damage' || !(f.at > from && f.at <= to)) return 0;
  if (f.variant === 'backwards') return -f.amount;
  return f.jumpFactor * qmax * ((to - from) / 3_600_000) + 10;
}
