import { MeterwatchError, ErrorCodes } from '../core/errors.ts';
import { sqlString, type SqlClient } from './sql.ts';

/**
 * Waits until every transaction committed to a WAL table is applied, so what was just
 * written is visible to queries (architecture.md: a 2xx from ILP means "in the WAL", not
 * "queryable"). Used where a caller must read its own writes, e.g. registry upserts that
 * merge with the prior state. Not for the readings hot path.
 */
export async function waitForWalApplied(sql: SqlClient, table: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let step = 5; ; step = Math.min(step * 2, 100)) {
    const rows = await sql.query<{ writerTxn: string | number; sequencerTxn: string | number; suspended: boolean }>(
      `SELECT writerTxn, sequencerTxn, suspended FROM wal_tables() WHERE name = ${sqlString(table)}`,
    );
    const row = rows[0];
    if (!row) return; // not a WAL table: writes are visible at once
    if (row.suspended) throw new MeterwatchError(ErrorCodes.STORAGE, `WAL table ${table} is suspended`, { hint: `ALTER TABLE ${table} RESUME WAL` });
    if (Number(row.writerTxn) >= Number(row.sequencerTxn)) return;
    if (Date.now() > deadline) throw new MeterwatchError(ErrorCodes.STORAGE, `table ${table} did not apply its WAL within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, step));
  }
}
