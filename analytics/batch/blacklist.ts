import { sqlTimestamp, type SqlClient } from '../../storage/sql.ts';

/** Customer and meter ids on the blacklist at `asOf` (newest event per customer is `add`). */
export async function loadBlacklist(sql: SqlClient, asOf: number): Promise<Set<string>> {
  const rows = await sql.query<{ customer_id: string | null; meter_id: string | null; action: string }>(
    `SELECT customer_id, meter_id, action FROM blacklist_events WHERE ts <= ${sqlTimestamp(asOf)} LATEST ON ts PARTITION BY customer_id`,
  );
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.action !== 'add') continue;
    if (r.customer_id) ids.add(r.customer_id);
    if (r.meter_id) ids.add(r.meter_id);
  }
  return ids;
}
