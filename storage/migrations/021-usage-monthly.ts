import type { Migration } from './migration.ts';

/**
 * Month usage per meter computed inside QuestDB (storage/usage/monthly-usage.ts): the input
 * of the monthly batch rules (domain.md §4). Recomputing a month replaces its rows (DEDUP).
 */
export const usageMonthly: Migration = {
  version: 21,
  name: 'usage monthly',
  statements: [
    `CREATE TABLE IF NOT EXISTS usage_monthly (
      month_start TIMESTAMP,
      meter_id SYMBOL CAPACITY 1048576 CACHE,
      usage DOUBLE,
      coverage DOUBLE,
      estimated BOOLEAN,
      computed_at TIMESTAMP
    ) TIMESTAMP(month_start) PARTITION BY MONTH WAL DEDUP UPSERT KEYS(month_start, meter_id)`,
  ],
};
