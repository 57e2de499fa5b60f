import type { Config } from '../../core/config/index.ts';
import type { MeterCategory, MeterKind, MeterStatus, RuleId, Severity } from '../../core/types.ts';
import { qmaxForSpec } from '../../core/gsize.ts';
import { raiseSeverity, type AlertCandidate } from '../alerts/alert-candidate.ts';
import type { MonthUsage, RegisterPoint } from '../batch/monthly-usage.ts';

export type RuleConfig = Config['analytics'];

/** What the rules know of a meter as of the run (registry row, resolved). */
export interface MeterInfo {
  meterId: string;
  customerId?: string | undefined;
  district?: string | undefined;
  route?: string | undefined;
  category?: MeterCategory | undefined;
  kind?: MeterKind | undefined;
  status?: MeterStatus | undefined;
  qmax?: number | undefined;
  parentMeterId?: string | undefined;
  activatedAt?: number | undefined;
  blacklisted: boolean;
}

export interface StatusInterval {
  from: number;
  to: number;
  status: MeterStatus;
}

/** Everything the batch rules see of one meter. */
export interface MeterSeries {
  info: MeterInfo;
  statuses: StatusInterval[];
  points: RegisterPoint[];
  months: MonthUsage[];
  /** highest reported flow per month start */
  monthPeakFlow: Map<number, number>;
  latest?: { ts: number; reading: number } | undefined;
  /** newest contact, an estimated read included (dead_meter: the reader did visit) */
  lastContact?: number | undefined;
  /** newest read whose register differs from the current value; undefined when it never changed */
  lastChange?: number | undefined;
  /** first read showing the current register value: flat from here on */
  flatSince?: number | undefined;
  firstTs?: number | undefined;
  /** the meter's usual time between reads (days): hourly smart ≈ 0.04, mechanical ≈ 30 */
  typicalGapDays?: number | undefined;
}

export interface BatchContext {
  asOf: number;
  zone: string;
  cfg: RuleConfig;
  meters: Map<string, MeterSeries>;
  /** bulk meter id → its household meter ids */
  households: Map<string, string[]>;
  /** the fleet's year-over-year change per category and month (rules/seasonal.ts), filled by the batch engine */
  fleetIndex?: Map<string, number> | undefined;
  /** the fleet's seasonal shape per category and month (rules/seasonal.ts), filled by the batch engine */
  fleetShape?: Map<string, number> | undefined;
  /**
   * Heating degree days per district (CITY_WIDE: the city's series) and calendar month start,
   * only months with temperature coverage (analytics/batch/weather-query.ts). Absent or empty:
   * no temperature series is loaded and yoy_deviation keeps the fleet index (rules/weather-normal.ts).
   */
  hddByMonth?: HddByMonth | undefined;
  /**
   * Every meter's `points` are all its reads (no month was read more than twice, so the month
   * aggregates held each read): the batch engine then finds suspicious intervals in them
   * (analytics/batch/intervals-from-points.ts) instead of asking QuestDB to scan every read.
   */
  everyRead?: boolean | undefined;
}

/** district (or CITY_WIDE) → month start → heating degree days of that month */
export type HddByMonth = ReadonlyMap<string, ReadonlyMap<number, number>>;
/** The key of the city-wide temperature series in HddByMonth (uploaded without a district). */
export const CITY_WIDE = '';

export const INACTIVE_STATUSES: readonly MeterStatus[] = ['vacant', 'suspended', 'sealed', 'removed'];

export function qmaxOf(info: { qmax?: number | undefined }, spec?: string | null): number | undefined {
  return info.qmax ?? qmaxForSpec(spec ?? undefined);
}

/** Blacklisted customers get stricter thresholds (domain.md §4 blacklist: "strict supervision"). */
export function thresholdFor(base: number, info: MeterInfo, cfg: RuleConfig): number {
  return info.blacklisted ? base * cfg.blacklistFactor : base;
}

export function severityFor(base: Severity, info: MeterInfo): Severity {
  return info.blacklisted ? raiseSeverity(base) : base;
}

/** The fields every candidate takes from the meter. */
export function candidate(info: MeterInfo, rule: RuleId, rest: Omit<AlertCandidate, 'meterId' | 'customerId' | 'district' | 'route' | 'rule'>): AlertCandidate {
  // Every field written out, in one order, with the slots the sink fills when the candidate
  // becomes an alert (id, raisedAt, updatedAt, status): all of a pass's alerts then share
  // one hidden class, and the sink's assignments neither change it nor grow the object.
  const c = {
    id: undefined,
    raisedAt: undefined,
    updatedAt: undefined,
    status: undefined,
    meterId: info.meterId,
    customerId: info.customerId,
    district: info.district,
    route: info.route,
    rule,
    severity: severityFor(rest.severity, info),
    periodStart: rest.periodStart,
    periodEnd: rest.periodEnd,
    value: rest.value,
    threshold: rest.threshold,
    score: rest.score,
    message: rest.message,
    evidence: info.blacklisted ? { ...rest.evidence, blacklisted: true } : rest.evidence,
  };
  return c;
}

/**
 * Complete, well-read months: the reads bracket the month, and a meter that reads often
 * (daily, hourly) has most of its usual reads in it — a daily meter silent for two weeks
 * has an estimated month, not a measured one. A monthly-read meter's month-long interval is
 * its normal (up to 62 days).
 */
export function completeMonths(s: MeterSeries, asOf: number): MonthUsage[] {
  // Several rules ask for the same meter's complete months in one pass: compute them once.
  const cached = completeCache.get(s);
  if (cached && cached.asOf === asOf && cached.source === s.months && cached.length === s.months.length) return cached.months;
  const months = computeCompleteMonths(s, asOf);
  completeCache.set(s, { asOf, source: s.months, length: s.months.length, months });
  return months;
}

const completeCache = new WeakMap<MeterSeries, { asOf: number; source: MonthUsage[]; length: number; months: MonthUsage[] }>();

function computeCompleteMonths(s: MeterSeries, asOf: number): MonthUsage[] {
  const typical = s.typicalGapDays ?? medianGapDays(s.points);
  if (typical >= 20) return s.months.filter((m) => m.end <= asOf && m.covered && m.maxGapDays <= 62);
  return s.months.filter((m) => m.end <= asOf && m.covered && m.reads >= (0.8 * (m.end - m.start)) / 86_400_000 / typical);
}

function medianGapDays(points: readonly { t: number }[]): number {
  if (points.length < 2) return 30;
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push((points[i]!.t - points[i - 1]!.t) / 86_400_000);
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1]!;
}

export function statusAt(s: MeterSeries, t: number): MeterStatus | undefined {
  let found: MeterStatus | undefined;
  for (const iv of s.statuses) if (iv.from <= t && t < iv.to) found = iv.status;
  return found ?? s.info.status;
}
