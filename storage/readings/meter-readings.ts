import type { RegisterRead } from '../../core/usage/register-usage.ts';
import { sqlString, sqlTimestamp, type Row, type SqlClient } from '../sql.ts';

/** A stored reading as the readings API shows it (interface.md §2 response shapes). */
export interface StoredReading {
  ts: number;
  reading: number;
  flow: number | null;
  balance: number | null;
  valve: string | null;
  flags: string[];
  source: string | null;
  estimated: boolean;
}

/** Flags are kept as text by ingest: a JSON array or a comma-separated list. */
export function parseFlags(value: unknown): string[] {
  if (typeof value !== 'string' || value.trim() === '') return [];
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.map(String) : [];
    } catch {
      return [text];
    }
  }
  return text.split(',').map((f) => f.trim()).filter((f) => f !== '');
}

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function toStored(r: Row): StoredReading {
  return {
    ts: Number(r.ts),
    reading: Number(r.reading),
    flow: numOrNull(r.flow),
    balance: numOrNull(r.balance),
    valve: typeof r.valve === 'string' ? r.valve : null,
    flags: parseFlags(r.flags),
    source: typeof r.source === 'string' ? r.source : null,
    estimated: r.estimated === true,
  };
}

const COLUMNS = 'ts, reading, flow, balance, valve, flags, source, estimated';

/** Readings of one meter in [from, to), oldest first, at most `limit`. */
export async function meterReadings(sql: SqlClient, meterId: string, from: number, to: number, limit = 1_000_000): Promise<StoredReading[]> {
  const rows = await sql.query(
    `SELECT ${COLUMNS} FROM readings WHERE meter_id = ${sqlString(meterId)} AND ts >= ${sqlTimestamp(from)} AND ts < ${sqlTimestamp(to)} ORDER BY ts LIMIT ${Math.trunc(limit)}`,
  );
  return rows.map(toStored);
}

/**
 * The register reads that decide usage over [from, to): every read inside, plus the last read
 * before `from` and the first at or after `to`, so the periods at both edges are pro-rated
 * from the reads around them (issue 4 item 3).
 */
export async function registerReadsAround(sql: SqlClient, meterId: string, from: number, to: number): Promise<RegisterRead[]> {
  const id = sqlString(meterId);
  const [before, inside, after] = await Promise.all([
    sql.query(`SELECT ts, reading, estimated FROM readings WHERE meter_id = ${id} AND ts < ${sqlTimestamp(from)} LATEST ON ts PARTITION BY meter_id`),
    sql.query(`SELECT ts, reading, estimated FROM readings WHERE meter_id = ${id} AND ts >= ${sqlTimestamp(from)} AND ts < ${sqlTimestamp(to)} ORDER BY ts`),
    sql.query(`SELECT ts, reading, estimated FROM readings WHERE meter_id = ${id} AND ts >= ${sqlTimestamp(to)} ORDER BY ts LIMIT 1`),
  ]);
  return [...before, ...inside, ...after].map((r) => ({ ts: Number(r.ts), reading: Number(r.reading), estimated: r.estimated === true }));
}
