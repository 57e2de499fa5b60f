import { calendarEdges, yearEarlier, type Granularity } from '../../core/usage/calendar.ts';
import { billingPeriods, registerSegments, usageByPeriod, type BillingPeriod, type PeriodUsage } from '../../core/usage/register-usage.ts';
import { registerReadsAround } from '../readings/meter-readings.ts';
import type { ReplacementsRepo } from '../registry/replacements-repo.ts';
import type { SqlClient } from '../sql.ts';

/** A period with the same period one year earlier (interface.md §2, GET …/usage). */
export interface UsageWithPreviousYear extends PeriodUsage {
  previousYear: number | null;
  previousYearEstimated: boolean;
  previousYearCoverage: number;
}

/**
 * Usage of one meter per day or month over [from, to), with the same periods a year
 * earlier. One meter's reads are few enough to compute in Node with the reference model
 * (core/usage/register-usage.ts); fleets go through monthly-usage.ts in SQL.
 */
export async function meterUsage(
  sql: SqlClient,
  replacements: ReplacementsRepo,
  meterId: string,
  q: { from: number; to: number; granularity: Granularity; zone: string },
): Promise<UsageWithPreviousYear[]> {
  const edges = calendarEdges(q.from, q.to, q.granularity, q.zone);
  const previousEdges = edges.map((e) => yearEarlier(e, q.zone));
  const start = previousEdges[0] as number;
  const end = edges.at(-1) as number;
  const [reads, swaps] = await Promise.all([registerReadsAround(sql, meterId, start, end), replacements.forMeter(meterId)]);
  const segments = registerSegments(reads, swaps);
  const current = usageByPeriod(segments, edges);
  const previous = usageByPeriod(segments, previousEdges);
  return current.map((p, i) => ({
    ...p,
    previousYear: previous[i]?.usage ?? null,
    previousYearEstimated: previous[i]?.estimated ?? false,
    previousYearCoverage: previous[i]?.coverage ?? 0,
  }));
}

/** Read-to-read usage of one meter for reads in [from, to) (billing periods). */
export async function meterBillingPeriods(sql: SqlClient, replacements: ReplacementsRepo, meterId: string, from: number, to: number): Promise<BillingPeriod[]> {
  const [reads, swaps] = await Promise.all([registerReadsAround(sql, meterId, from, to), replacements.forMeter(meterId)]);
  return billingPeriods(reads.filter((r) => r.ts >= from && r.ts < to), swaps);
}
