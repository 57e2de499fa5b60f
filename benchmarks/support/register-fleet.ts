/**
 * Registers meters [from, to) of the benchmark fleet in `meter_registry` and writes one
 * reading per meter, straight over ILP (set-up, not measured): the stream rules then know
 * every meter, and QuestDB's meter_id symbol table already holds the fleet.
 */
import { ilpLine, writeIlp } from '../../storage/ilp-http.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { waitForWalApplied } from '../../storage/wal-visibility.ts';
import { ilpReading, meterId, REGISTER_EPOCH } from './fleet-load.ts';

const BATCH = 50_000;

/**
 * `readingTs` must lie after every reading already stored: rows older than the newest
 * partition are an out-of-order merge that rewrites their partition on every commit
 * (measured: 900k meters' readings dated before earlier runs took minutes to apply).
 */
export async function registerFleet(httpUrl: string, sql: SqlClient, from: number, to: number, readingTs: number): Promise<void> {
  const effective = REGISTER_EPOCH - 86_400_000;
  for (let start = from; start < to; start += BATCH) {
    const end = Math.min(to, start + BATCH);
    let registry = '';
    let readings = '';
    for (let i = start; i < end; i++) {
      registry += ilpLine('meter_registry', {
        ts: effective,
        symbols: { meter_id: meterId(i), customer_id: `C${i}`, category: 'residential', kind: 'smart', status: 'active', district: `D${i % 20}`, route: `R${i % 400}` },
        fields: { qmax: { kind: 'double', value: 6 } },
      });
      readings += ilpReading(meterId(i), readingTs + i * 1000, readingTs); // ascending: appended, never merged
    }
    await writeIlp(httpUrl, registry);
    await writeIlp(httpUrl, readings);
  }
  for (const table of ['meter_registry', 'readings']) await waitForWalApplied(sql, table, 600_000);
}
