import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { qmaxForSpec, QMAX_BY_GSIZE } from '../../core/gsize.ts';

/** A meter series as the public interface takes it (interface.md §1–§2). */
export interface RealSeries {
  meter: { meterId: string; category: string; kind: string; spec: string; status: string; district: string; activatedAt: string; customerId: string };
  reads: { ts: number; reading: number }[];
}

export interface RealDataset {
  name: string;
  zone: string;
  series: RealSeries[];
  /** first instant after the data: the analytics run's asOf */
  end: number;
}

const KWH_PER_M3 = 10.55;

/** Smallest G-size whose Qmax carries the peak with 25 % headroom. */
export function specForPeak(peakM3h: number): string {
  const sizes = Object.entries(QMAX_BY_GSIZE).sort((a, b) => a[1] - b[1]);
  return (sizes.find(([, q]) => q >= peakM3h * 1.25) ?? sizes[sizes.length - 1]!)[0];
}

function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',').map((c) => c.trim()));
}

function meterOf(meterId: string, category: string, spec: string, first: number, zone: string) {
  return { meterId, category, kind: 'smart', spec, status: 'active', district: 'REAL', activatedAt: DateTime.fromMillis(first, { zone }).toISO()!, customerId: `C-${meterId}` };
}

/** AMPds2: one furnace sub-meter, hourly cumulative register (Vancouver). */
export function ampds2(dir: string): RealDataset {
  const rows = csvRows(join(dir, 'ampds2_furnace_gas', 'NaturalGas_FRG_hourly.csv'));
  const reads = rows.map(([start, register]) => ({ ts: Date.parse(`${start!.replace(' ', 'T')}Z`) + 3_600_000, reading: Number(register) }));
  const first = reads[0]!.ts;
  return { name: 'ampds2', zone: 'America/Vancouver', end: reads[reads.length - 1]!.ts + 1, series: [{ meter: meterOf('AMPDS2', 'residential', 'G4', first, 'America/Vancouver'), reads }] };
}

/** UK home: half-hourly consumption turned into a register read at the end of each half hour. */
export function ukHousehold(dir: string): RealDataset {
  const rows = csvRows(join(dir, 'uk_household_smart_gas', 'gas_halfhourly.csv'));
  let register = 1000;
  const reads = rows.map(([m3, , end]) => {
    register += Number(m3);
    return { ts: Date.parse(end!), reading: Math.round(register * 1000) / 1000 };
  });
  const first = reads[0]!.ts;
  return { name: 'uk_household', zone: 'Europe/London', end: reads[reads.length - 1]!.ts + 1, series: [{ meter: meterOf('UKHOME', 'residential', 'G4', first, 'Europe/London'), reads }] };
}

/**
 * Cambridge Estates: 89 non-residential buildings, daily m³ (estimated from kWh) up to 2022.
 * A day whose every hour is zero is missing data, not zero use: it becomes a gap, not a read.
 */
export function cambridge(dir: string, until = '2023-01-01'): RealDataset {
  const zone = 'Europe/London';
  const peaks = new Map(csvRows(join(dir, 'cambridge_estates_gas', 'buildings_summary.csv')).map(([b, , , , kwh]) => [b!, Number(kwh) / KWH_PER_M3]));
  const byBuilding = new Map<string, RealSeries>();
  const registers = new Map<string, number>();
  const stop = DateTime.fromISO(until, { zone }).toMillis();
  for (const [building, date, , m3, hours, zeroHours] of csvRows(join(dir, 'cambridge_estates_gas', 'gas_daily.csv'))) {
    const ts = DateTime.fromISO(date!, { zone }).plus({ days: 1 }).toMillis();
    if (ts > stop || hours === zeroHours) continue;
    const id = `CAM-${building}`;
    let s = byBuilding.get(id);
    if (!s) {
      s = { meter: meterOf(id, 'commercial', specForPeak(peaks.get(building!) ?? 10), ts, zone), reads: [] };
      byBuilding.set(id, s);
    }
    const r = (registers.get(id) ?? 10_000) + Number(m3);
    registers.set(id, r);
    s.reads.push({ ts, reading: Math.round(r * 1000) / 1000 });
  }
  const series = [...byBuilding.values()].filter((s) => s.reads.length > 60);
  return { name: 'cambridge_estates', zone, end: stop, series };
}

export { qmaxForSpec };
