import pg from 'pg';
import type { Logger } from '../core/logger.ts';

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;

/** QuestDB sends timestamps as UTC `TIMESTAMP WITHOUT TIME ZONE` (architecture.md): read them as epoch ms. */
export function parseQuestdbTimestamp(text: string): number {
  const iso = text.includes('T') ? text : text.replace(' ', 'T');
  return Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID || oid === TIMESTAMPTZ_OID) return parseQuestdbTimestamp;
    // QuestDB LONGs (counts, epoch micro/milliseconds) fit in a double's 53 bits.
    if (oid === INT8_OID) return Number;
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

export type Row = Record<string, unknown>;

/** SQL over QuestDB's PG wire: a small pool, timestamps as epoch milliseconds. */
export class SqlClient {
  private readonly pool: pg.Pool;

  constructor(
    private readonly pgUrl: string,
    private readonly log: Logger,
    private readonly max = 8,
    /** QuestDB aborts a statement that runs longer (its `statement_timeout` connection option; unset: the server's query.timeout, 60 s by default). */
    readonly statementTimeoutMs?: number,
  ) {
    this.pool = new pg.Pool({
      connectionString: pgUrl,
      max,
      types,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 120_000,
      ...(statementTimeoutMs === undefined ? {} : { options: `-c statement_timeout=${Math.round(statementTimeoutMs)}` }),
    });
    // A batch pass runs its queries side by side and a busy QuestDB can take long over each:
    // waiting for a free connection is normal then, not a failure (it failed at 10 s under load).
    this.pool.on('error', (err) => this.log.warn({ err }, 'idle QuestDB connection failed'));
  }

  async query<T extends Row = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    const res = await this.pool.query<T>(text, params);
    return res.rows;
  }

  /**
   * Rows as arrays in column order: no object with named keys per row, which matters for
   * results of millions of rows (the batch pass's month aggregates).
   */
  async queryArrays<T extends unknown[] = unknown[]>(text: string): Promise<T[]> {
    const res = await this.pool.query<T>({ text, rowMode: 'array' });
    return res.rows;
  }

  /** DDL and statements without rows. */
  async exec(text: string): Promise<void> {
    await this.pool.query(text);
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Another client of the same QuestDB whose statements may run up to `ms` (its own pool: close it too). */
  withStatementTimeout(ms: number): SqlClient {
    return new SqlClient(this.pgUrl, this.log, this.max, ms);
  }
}

/** Quotes a string literal for QuestDB SQL (where binds are not honoured, questdb#1980). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Selects a TIMESTAMP column as epoch milliseconds (a LONG): much cheaper to parse than timestamp text. */
export function epochMs(column: string): string {
  return `cast(${column} AS LONG) / 1000`;
}

/** A timestamp literal QuestDB reads as UTC microseconds. */
export function sqlTimestamp(ms: number): string {
  return `CAST(${Math.trunc(ms)}000 AS TIMESTAMP)`;
}
