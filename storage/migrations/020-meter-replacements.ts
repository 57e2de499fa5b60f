import type { Migration } from './migration.ts';

/**
 * Meter replacements (domain.md §3 "Meter replacements must be entered before the 25th";
 * issue 4 item 3): the meter point keeps its `meter_id`, the physical register restarts.
 * Usage takes the old register up to `final_reading` and the new one from `new_reading`,
 * so a replacement never shows as negative usage. The registry history itself lives in
 * `meter_registry` (001): one full snapshot row per change, `ts` = when it takes effect.
 */
export const meterReplacements: Migration = {
  version: 20,
  name: 'meter replacements',
  statements: [
    `CREATE TABLE IF NOT EXISTS meter_replacements (
      ts TIMESTAMP,
      meter_id SYMBOL CAPACITY 1048576 CACHE INDEX,
      final_reading DOUBLE,
      new_reading DOUBLE,
      new_spec SYMBOL,
      reason VARCHAR,
      recorded_at TIMESTAMP,
      recorded_by VARCHAR
    ) TIMESTAMP(ts) PARTITION BY YEAR WAL DEDUP UPSERT KEYS(ts, meter_id)`,
  ],
};
