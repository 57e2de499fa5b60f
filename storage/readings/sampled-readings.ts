import { sqlString, sqlTimestamp, type SqlClient } from '../sql.ts';

/**
 * One meter's readings over a long range, aggregated inside QuestDB to at most about
 * `points` buckets (issue 8 item 7: aggregation in the database for long ranges), so a chart
 * over two years of minute data moves a few thousand rows, not a million.
 */
export interface SampledReading {
  /** Bucket start, epoch ms. */
  ts: number;
  first: number;
  last: number;
  min: number;
  max: number;
  /** Highest reported flow in the bucket, m³/h; null when none was reported. */
  maxFlow: number | null;
  count: number;
}

/** Bucket width in whole seconds giving at most `points` buckets over [from, to). */
export function bucketSeconds(from: number, to: number, points: number): number {
  return Math.max(1, Math.ceil((to - from) / 1000 / Math.max(1, points)));
}

export async function sampledReadings(sql: SqlClient, meterId: string, from: number, to: number, points: number): Promise<{ bucketSeconds: number; items: SampledReading[] }> {
  const bucket = bucketSeconds(from, to, points);
  const rows = await sql.query(
    `SELECT ts, first(reading) first_reading, last(reading) last_reading, min(reading) min_reading, max(reading) max_reading, max(flow) max_flow, count() n
     FROM readings WHERE meter_id = ${sqlString(meterId)} AND ts >= ${sqlTimestamp(from)} AND ts < ${sqlTimestamp(to)}
     SAMPLE BY ${bucket}s FROM ${sqlTimestamp(from)} TO ${sqlTimestamp(to)}`,
  );
  return {
    bucketSeconds: bucket,
    items: rows
      .filter((r) => Number(r.n) > 0)
      .map((r) => ({
        ts: Number(r.ts),
        first: Number(r.first_reading),
        last: Number(r.last_reading),
        min: Number(r.min_reading),
        max: Number(r.max_reading),
        maxFlow: typeof r.max_flow === 'number' && Number.isFinite(r.max_flow) ? r.max_flow : null,
        count: Number(r.n),
      })),
  };
}
