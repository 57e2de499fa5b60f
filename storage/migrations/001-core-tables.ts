import type { Migration } from './migration.ts';

/**
 * The tables the public interface needs (issue: foundation, item 3). Every one is a WAL
 * table partitioned by time with DEDUP UPSERT KEYS on its natural key, so that a
 * redelivered record, a replayed spool or a re-run rule stores one row (interface.md §1, §3).
 */
export const coreTables: Migration = {
  version: 1,
  name: 'core tables',
  statements: [
    `CREATE TABLE IF NOT EXISTS readings (
      ts TIMESTAMP,
      meter_id SYMBOL CAPACITY 1048576 CACHE INDEX,
      reading DOUBLE,
      flow DOUBLE,
      battery DOUBLE,
      balance DOUBLE,
      valve SYMBOL,
      flags VARCHAR,
      source SYMBOL,
      estimated BOOLEAN,
      estimate_reason SYMBOL,
      reader_id SYMBOL,
      route SYMBOL,
      device_id SYMBOL,
      note VARCHAR,
      received_at TIMESTAMP
    ) TIMESTAMP(ts) PARTITION BY MONTH WAL DEDUP UPSERT KEYS(ts, meter_id)`,

    // Registry with history: one row per change, `ts` = when the change takes effect.
    `CREATE TABLE IF NOT EXISTS meter_registry (
      ts TIMESTAMP,
      meter_id SYMBOL CAPACITY 1048576 CACHE INDEX,
      customer_id SYMBOL CAPACITY 1048576 CACHE,
      customer_name VARCHAR,
      address VARCHAR,
      district SYMBOL,
      route SYMBOL,
      category SYMBOL,
      kind SYMBOL,
      spec SYMBOL,
      qmax DOUBLE,
      status SYMBOL,
      parent_meter_id SYMBOL CAPACITY 262144 CACHE,
      households INT,
      commercial_units INT,
      installed_at TIMESTAMP,
      activated_at TIMESTAMP,
      manufacturer VARCHAR,
      model VARCHAR,
      contact VARCHAR,
      property_company VARCHAR,
      register_reset DOUBLE,
      changed_at TIMESTAMP,
      changed_by VARCHAR
    ) TIMESTAMP(ts) PARTITION BY YEAR WAL DEDUP UPSERT KEYS(ts, meter_id)`,

    // One alert per (meter, rule, period): the period start is the designated timestamp.
    `CREATE TABLE IF NOT EXISTS alerts (
      period_start TIMESTAMP,
      period_end TIMESTAMP,
      raised_at TIMESTAMP,
      updated_at TIMESTAMP,
      id VARCHAR,
      meter_id SYMBOL CAPACITY 1048576 CACHE,
      customer_id SYMBOL CAPACITY 1048576 CACHE,
      district SYMBOL,
      route SYMBOL,
      rule SYMBOL,
      severity SYMBOL,
      status SYMBOL,
      value DOUBLE,
      threshold DOUBLE,
      score DOUBLE,
      message VARCHAR,
      evidence VARCHAR
    ) TIMESTAMP(period_start) PARTITION BY MONTH WAL DEDUP UPSERT KEYS(period_start, meter_id, rule)`,

    `CREATE TABLE IF NOT EXISTS rejected_records (
      received_at TIMESTAMP,
      id VARCHAR,
      source SYMBOL,
      topic VARCHAR,
      endpoint VARCHAR,
      client_id VARCHAR,
      meter_id VARCHAR,
      reason VARCHAR,
      field VARCHAR,
      value VARCHAR,
      raw VARCHAR
    ) TIMESTAMP(received_at) PARTITION BY DAY WAL DEDUP UPSERT KEYS(received_at, id)`,

    `CREATE TABLE IF NOT EXISTS ic_purchases (
      ts TIMESTAMP,
      meter_id SYMBOL CAPACITY 262144 CACHE,
      volume DOUBLE,
      amount DOUBLE,
      received_at TIMESTAMP
    ) TIMESTAMP(ts) PARTITION BY MONTH WAL DEDUP UPSERT KEYS(ts, meter_id)`,

    // Ledger as an event log: each transition of a case is one row (who, when, what).
    `CREATE TABLE IF NOT EXISTS ledger_events (
      ts TIMESTAMP,
      case_id SYMBOL CAPACITY 262144 CACHE,
      seq INT,
      meter_id SYMBOL CAPACITY 262144 CACHE,
      customer_id SYMBOL CAPACITY 262144 CACHE,
      action SYMBOL,
      from_state SYMBOL,
      to_state SYMBOL,
      actor VARCHAR,
      role SYMBOL,
      details VARCHAR
    ) TIMESTAMP(ts) PARTITION BY MONTH WAL DEDUP UPSERT KEYS(ts, case_id, seq)`,

    `CREATE TABLE IF NOT EXISTS blacklist_events (
      ts TIMESTAMP,
      customer_id SYMBOL CAPACITY 262144 CACHE,
      meter_id SYMBOL CAPACITY 262144 CACHE,
      action SYMBOL,
      reason SYMBOL,
      evidence VARCHAR,
      case_id VARCHAR,
      actor VARCHAR,
      note VARCHAR
    ) TIMESTAMP(ts) PARTITION BY YEAR WAL DEDUP UPSERT KEYS(ts, customer_id, action)`,

    `CREATE TABLE IF NOT EXISTS adjustments (
      ts TIMESTAMP,
      id SYMBOL CAPACITY 262144 CACHE,
      meter_id SYMBOL CAPACITY 262144 CACHE,
      customer_id SYMBOL CAPACITY 262144 CACHE,
      case_id VARCHAR,
      cause SYMBOL,
      period_start TIMESTAMP,
      period_end TIMESTAMP,
      volume DOUBLE,
      status SYMBOL,
      basis VARCHAR,
      actor VARCHAR,
      note VARCHAR
    ) TIMESTAMP(ts) PARTITION BY YEAR WAL DEDUP UPSERT KEYS(ts, id)`,

    `CREATE TABLE IF NOT EXISTS audit_log (
      ts TIMESTAMP,
      actor VARCHAR,
      role SYMBOL,
      method SYMBOL,
      path VARCHAR,
      status INT,
      body VARCHAR
    ) TIMESTAMP(ts) PARTITION BY MONTH WAL`,
  ],
};
