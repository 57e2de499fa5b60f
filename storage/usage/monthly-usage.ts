import { sqlTimestamp, type SqlClient } from '../sql.ts';
import { waitForWalApplied } from '../wal-visibility.ts';
import { monthlyUsageSelect, type MonthlyUsageQuery } from './monthly-usage-sql.ts';

/** One meter's usage in one calendar month (company time zone), computed in QuestDB. */
export interface MonthUsageRow {
  meterId: string;
  /** Month start, epoch ms. */
  monthStart: number;
  /** m³, pro-rated between reads across the month edges. */
  usage: number;
  /** An estimated read (估表) contributed. */
  estimated: boolean;
  /** Share of the month covered by read pairs, 0..1 (1: the whole month is known). */
  coverage: number;
}

export type { MonthlyUsageQuery };

function toRow(r: Record<string, unknown>): MonthUsageRow {
  return {
    meterId: String(r.meter_id),
    monthStart: Number(r.month_start),
    usage: Number(r.usage),
    estimated: Number(r.estimated) > 0,
    coverage: Math.min(1, Number(r.covered_us) / Number(r.month_us)),
  };
}

/**
 * Month usage rows for the meters and months asked (issue 4 item 4). Only aggregated rows
 * reach Node: one per meter and month with any covered time. For the whole fleet over many
 * months, prefer `materializeMonthlyUsage` and read the table month by month.
 */
export async function monthlyUsage(sql: SqlClient, q: MonthlyUsageQuery): Promise<MonthUsageRow[]> {
  return (await sql.query(monthlyUsageSelect(q))).map(toRow);
}

/**
 * Computes month usage into the `usage_monthly` table (migration 21) entirely inside QuestDB,
 * replacing earlier figures for the same meter and month (DEDUP). Returns when the rows are
 * queryable. Batch rules (analytics) then read one month at a time.
 */
export async function materializeMonthlyUsage(sql: SqlClient, q: MonthlyUsageQuery, computedAt: number = Date.now()): Promise<void> {
  await sql.exec(
    `INSERT INTO usage_monthly (month_start, meter_id, usage, coverage, estimated, computed_at)
     SELECT month_start, meter_id, usage, cast(covered_us as double) / month_us, estimated > 0, ${sqlTimestamp(computedAt)}
     FROM (${monthlyUsageSelect(q)})`,
  );
  await waitForWalApplied(sql, 'usage_monthly', 600_000);
}

/** Reads materialised month usage for one month (or range), optionally some meters only. */
export async function readMaterializedMonthlyUsage(sql: SqlClient, from: number, to: number): Promise<MonthUsageRow[]> {
  const rows = await sql.query(
    `SELECT meter_id, month_start, usage, coverage, estimated FROM usage_monthly
     WHERE month_start >= ${sqlTimestamp(from)} AND month_start < ${sqlTimestamp(to)} ORDER BY meter_id, month_start`,
  );
  return rows.map((r) => ({
    meterId: String(r.meter_id),
    monthStart: Number(r.month_start),
    usage: Number(r.usage),
    estimated: r.estimated === true,
    coverage: Number(r.coverage),
  }));
}
