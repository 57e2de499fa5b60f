import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Reading } from '../../core/types.ts';
import { ilpLine, writeIlp } from '../../storage/ilp-http.ts';

/**
 * Writes readings straight into the `readings` table over ILP/HTTP (source `http`), as a
 * stand-in for the ingest path (POST /api/readings) that is being built in parallel; the
 * lead switches callers to the real ingest after merging.
 */
export type LoadableReading = Pick<Reading, 'meterId' | 'ts' | 'reading'> & Partial<Pick<Reading, 'flow' | 'estimated' | 'source'>>;

export async function loadReadings(httpUrl: string, readings: readonly LoadableReading[], chunk = 50_000): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < readings.length; i += chunk) {
    let body = '';
    for (const r of readings.slice(i, i + chunk)) {
      body += ilpLine('readings', {
        ts: r.ts,
        symbols: { meter_id: r.meterId, source: r.source ?? 'http' },
        fields: {
          reading: { kind: 'double', value: r.reading },
          flow: r.flow === undefined ? undefined : { kind: 'double', value: r.flow },
          estimated: { kind: 'bool', value: r.estimated ?? false },
          received_at: { kind: 'timestamp', value: now },
        },
      });
    }
    await writeIlp(httpUrl, body);
  }
}

export interface Ampds2Hour {
  /** Start of the hour, epoch ms (UTC). */
  hourStart: number;
  /** Register at the end of the hour, m³. */
  registerEnd: number;
  /** Consumption during the hour, m³ (the file's own column). */
  consumption: number;
}

/** ../shared beside the repository, as on a developer's machine and in CI. */
export const AMPDS2_HOURLY = resolve(process.env.MW_DATASETS ?? '../shared/datasets', 'ampds2_furnace_gas', 'NaturalGas_FRG_hourly.csv');

/** The AMPds2 furnace gas hourly file: `hour_start_utc,register_end_m3,consumption_m3,minutes`. */
export function readAmpds2Hourly(path = AMPDS2_HOURLY): Ampds2Hour[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  if (lines[0] !== 'hour_start_utc,register_end_m3,consumption_m3,minutes') throw new Error(`unexpected header in ${path}: ${lines[0]}`);
  return lines.slice(1).map((line) => {
    const [hour, reg, cons] = line.split(',');
    return { hourStart: Date.parse(`${(hour as string).replace(' ', 'T')}Z`), registerEnd: Number(reg), consumption: Number(cons) };
  });
}

/**
 * Sends readings through the real ingest path: POST /api/readings of an ingest tier
 * (validation, group commit, ILP), in bodies well under the 1 MiB limit.
 */
export async function postReadings(app: { inject: (o: { method: 'POST'; url: string; payload: unknown }) => Promise<{ statusCode: number; body: string }> }, readings: readonly LoadableReading[], chunk = 5_000): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < readings.length; i += chunk) {
    const res = await app.inject({ method: 'POST', url: '/api/readings', payload: readings.slice(i, i + chunk) });
    const body = JSON.parse(res.body) as { accepted?: number; rejected?: unknown[] };
    if (res.statusCode !== 200 || (body.rejected?.length ?? 0) > 0) throw new Error(`POST /api/readings answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    accepted += body.accepted ?? 0;
  }
  return accepted;
}
