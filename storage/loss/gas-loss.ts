import { sqlString, sqlTimestamp, type SqlClient } from '../sql.ts';
import { monthlyUsageSelect } from '../usage/monthly-usage-sql.ts';

/**
 * Gas loss (输差, domain.md §7), computed inside QuestDB: month usage of every meter
 * (storage/usage/monthly-usage-sql.ts, pro-rated between reads) joined with the registry as
 * of `to`, then grouped, so only one row per district (or bulk meter) and month reaches Node.
 *
 * - district: supply metered at its regulator stations (category `supply`) minus the sum of
 *   billed customer usage in the district. A bulk meter that has household meters behind it
 *   is a check meter, not a billed customer, so it is left out of the customer sum.
 * - bulk meter: bulk usage minus the sum of its households' usage (domain.md §2, §7).
 *
 * Reading-window discipline (domain.md §7: reads on different days distort loss): each row
 * carries `minCoverage`, the lowest share of the month any contributing meter's reads cover;
 * below 1 the month was partly pro-rated or partly unread, and the UI flags it.
 */
export interface LossQuery {
  from: number;
  to: number;
  zone: string;
}

export interface DistrictLossMonth {
  district: string;
  monthStart: number;
  supply: number;
  customers: number;
  supplyMeters: number;
  customerMeters: number;
  minCoverage: number;
}

export interface BulkLossMonth {
  bulkMeterId: string;
  district: string | null;
  monthStart: number;
  bulk: number;
  households: number;
  householdMeters: number;
  minCoverage: number;
}

function registryAsOf(to: number): string {
  return `SELECT meter_id, district, category, parent_meter_id FROM meter_registry WHERE ts < ${sqlTimestamp(to)} LATEST ON ts PARTITION BY meter_id`;
}

/** Usage rows joined with the meter's registry version; `u.coverage` is the month share read. */
function usageWithRegistry(q: LossQuery): string {
  return `SELECT u.meter_id meter_id, u.month_start month_start, u.usage usage,
      cast(u.covered_us as double) / u.month_us coverage, r.district district, r.category category, r.parent_meter_id parent_meter_id
    FROM (${monthlyUsageSelect({ from: q.from, to: q.to, zone: q.zone })}) u
    JOIN (${registryAsOf(q.to)}) r ON u.meter_id = r.meter_id`;
}

/** Meters that household meters name as their parent (as of `to`): check meters, not customers. */
async function parentMeterIds(sql: SqlClient, to: number): Promise<string[]> {
  const rows = await sql.query<{ parent_meter_id: string }>(
    `SELECT DISTINCT parent_meter_id FROM (${registryAsOf(to)}) WHERE parent_meter_id IS NOT NULL`,
  );
  return rows.map((r) => r.parent_meter_id);
}

export async function districtLoss(sql: SqlClient, q: LossQuery): Promise<DistrictLossMonth[]> {
  const parents = await parentMeterIds(sql, q.to);
  const isCheckMeter = parents.length ? `meter_id IN (${parents.map(sqlString).join(',')})` : 'false';
  const rows = await sql.query(`
    SELECT district, month_start,
      sum(CASE WHEN category = 'supply' THEN usage ELSE 0.0 END) supply,
      sum(CASE WHEN category = 'supply' THEN 0.0 ELSE usage END) customers,
      sum(CASE WHEN category = 'supply' THEN 1 ELSE 0 END) supply_meters,
      sum(CASE WHEN category = 'supply' THEN 0 ELSE 1 END) customer_meters,
      min(coverage) min_coverage
    FROM (${usageWithRegistry(q)})
    WHERE district IS NOT NULL AND NOT (${isCheckMeter})
    GROUP BY district, month_start
    ORDER BY district, month_start`);
  return rows.map((r) => ({
    district: String(r.district),
    monthStart: Number(r.month_start),
    supply: Number(r.supply),
    customers: Number(r.customers),
    supplyMeters: Number(r.supply_meters),
    customerMeters: Number(r.customer_meters),
    minCoverage: Number(r.min_coverage),
  }));
}

export async function bulkMeterLoss(sql: SqlClient, q: LossQuery & { bulkMeterId?: string | undefined }): Promise<BulkLossMonth[]> {
  const parents = q.bulkMeterId ? [q.bulkMeterId] : await parentMeterIds(sql, q.to);
  if (parents.length === 0) return [];
  const list = parents.map(sqlString).join(',');
  const rows = await sql.query(`
    SELECT CASE WHEN meter_id IN (${list}) THEN meter_id ELSE parent_meter_id END bulk_id, month_start,
      sum(CASE WHEN meter_id IN (${list}) THEN usage ELSE 0.0 END) bulk,
      sum(CASE WHEN meter_id IN (${list}) THEN 0.0 ELSE usage END) households,
      sum(CASE WHEN meter_id IN (${list}) THEN 0 ELSE 1 END) household_meters,
      max(CASE WHEN meter_id IN (${list}) THEN district ELSE null END) district,
      min(coverage) min_coverage
    FROM (${usageWithRegistry(q)})
    WHERE meter_id IN (${list}) OR parent_meter_id IN (${list})
    GROUP BY bulk_id, month_start
    ORDER BY bulk_id, month_start`);
  return rows.map((r) => ({
    bulkMeterId: String(r.bulk_id),
    district: r.district === null || r.district === undefined ? null : String(r.district),
    monthStart: Number(r.month_start),
    bulk: Number(r.bulk),
    households: Number(r.households),
    householdMeters: Number(r.household_meters),
    minCoverage: Number(r.min_coverage),
  }));
}
