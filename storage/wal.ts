import type { SqlClient } from './sql.ts';

export interface WalLag {
  table: string;
  pending: number;
  suspended: boolean;
}

/** WAL transactions committed but not yet applied (visible) per table. */
export async function walLag(sql: SqlClient, tables: readonly string[]): Promise<WalLag[]> {
  const rows = await sql.query<{ name: string; suspended: boolean; writerTxn: string | number; sequencerTxn: string | number }>(
    'SELECT name, suspended, writerTxn, sequencerTxn FROM wal_tables()',
  );
  return rows
    .filter((r) => tables.includes(r.name))
    .map((r) => ({ table: r.name, pending: Number(r.sequencerTxn) - Number(r.writerTxn), suspended: r.suspended }));
}

/**
 * Waits until what was committed to these tables is visible to queries (architecture.md: a
 * 2xx from ILP means committed to the WAL, not yet visible). Resolves with the lag left
 * when `timeoutMs` runs out, so the caller can say what it could not see.
 */
export async function waitForWal(sql: SqlClient, tables: readonly string[], timeoutMs: number): Promise<WalLag[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lag = (await walLag(sql, tables)).filter((l) => l.pending > 0 && !l.suspended);
    if (lag.length === 0 || Date.now() > deadline) return lag;
    await new Promise((r) => setTimeout(r, 100));
  }
}
