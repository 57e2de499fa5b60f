import type { Migration } from './migration.ts';

/**
 * Blacklist monitoring notices (domain.md §4 blacklist, §5: "a blacklist monitoring notice
 * goes to the area reader"), exportable per district and route. The ledger itself is the
 * event log `ledger_events` (001), blacklist entries `blacklist_events` (001) and proposals
 * `adjustments` (001): no snapshot table is needed, the ledger folds its events in memory.
 */
export const blacklistNotices: Migration = {
  version: 40,
  name: 'blacklist notices',
  statements: [
    `CREATE TABLE IF NOT EXISTS blacklist_notices (
      ts TIMESTAMP,
      notice_id SYMBOL CAPACITY 262144 CACHE,
      customer_id SYMBOL CAPACITY 262144 CACHE,
      meter_id SYMBOL CAPACITY 262144 CACHE,
      customer_name VARCHAR,
      address VARCHAR,
      district SYMBOL,
      route SYMBOL,
      reader_id SYMBOL,
      case_id VARCHAR,
      reason SYMBOL,
      message VARCHAR,
      issued_by VARCHAR
    ) TIMESTAMP(ts) PARTITION BY YEAR WAL DEDUP UPSERT KEYS(ts, notice_id)`,
  ],
};
