import { sqlString, type SqlClient } from '../sql.ts';

/** Who to visit: a meter's customer name, address and contact, as the registry knows them now. */
export interface CustomerContact {
  customerName: string | null;
  address: string | null;
  contact: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Current customer contacts of many meters in a few LATEST ON queries (1000 ids each), for
 * inspection lists and their exports (issue 8 item 2: teams go to addresses, not meter ids).
 */
export async function customerContacts(sql: SqlClient, meterIds: readonly string[]): Promise<Map<string, CustomerContact>> {
  const out = new Map<string, CustomerContact>();
  const ids = [...new Set(meterIds)];
  for (let i = 0; i < ids.length; i += 1000) {
    const list = ids.slice(i, i + 1000).map(sqlString).join(',');
    const rows = await sql.query(`SELECT meter_id, customer_name, address, contact FROM meter_registry WHERE meter_id IN (${list}) LATEST ON ts PARTITION BY meter_id`);
    for (const r of rows) out.set(String(r.meter_id), { customerName: text(r.customer_name), address: text(r.address), contact: text(r.contact) });
  }
  return out;
}
