import { DateTime } from 'luxon';

/**
 * A synthetic fleet of monthly-read meters for the month-usage benchmark: each meter has a
 * fixed reading day (6th–25th, domain.md §3 "reading days") and hour, a base monthly use with
 * a winter peak, ~1 % estimated reads and ~0.2 % replacements. Deterministic (seeded).
 */
export interface FleetSpec {
  meters: number;
  /** Months of reads; reads start one month before the first benchmarked month. */
  months: number;
  readsPerMonth: number;
  firstMonth: number;
  zone: string;
  seed?: number;
}

export interface FleetRow {
  meterId: string;
  ts: number;
  reading: number;
  estimated: boolean;
}

export interface FleetReplacement {
  meterId: string;
  ts: number;
  finalReading: number;
  newReading: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const meterIdOf = (i: number): string => `B${String(i).padStart(7, '0')}`;

/**
 * Yields the reads month by month (so each ILP chunk lands in few partitions), and collects
 * replacements in `replacements`.
 */
export function* fleetReads(spec: FleetSpec, replacements: FleetReplacement[]): Generator<FleetRow[]> {
  const rand = mulberry32(spec.seed ?? 42);
  const base = Array.from({ length: spec.meters }, () => 5 + rand() * 40);
  const day = Array.from({ length: spec.meters }, () => 6 + Math.floor(rand() * 20));
  const minute = Array.from({ length: spec.meters }, () => 8 * 60 + Math.floor(rand() * 600));
  const register = Array.from({ length: spec.meters }, () => rand() * 1000);
  const step = Math.max(1, Math.floor(28 / spec.readsPerMonth));
  for (let m = 0; m < spec.months; m++) {
    const month = DateTime.fromMillis(spec.firstMonth, { zone: spec.zone }).plus({ months: m });
    const winter = 1 + 0.6 * Math.cos(((month.month - 1) / 12) * 2 * Math.PI);
    const rows: FleetRow[] = [];
    for (let k = 0; k < spec.readsPerMonth; k++) {
      for (let i = 0; i < spec.meters; i++) {
        const d = spec.readsPerMonth === 1 ? (day[i] as number) : 1 + k * step;
        const ts = month.set({ day: d }).startOf('day').plus({ minutes: minute[i] as number }).toMillis();
        const use = ((base[i] as number) * winter * (0.8 + 0.4 * rand())) / spec.readsPerMonth;
        if (rand() < 0.002 / spec.readsPerMonth && m > 0) {
          const swapTs = ts - 86_400_000;
          const finalReading = (register[i] as number) + use / 2;
          replacements.push({ meterId: meterIdOf(i), ts: swapTs, finalReading, newReading: 0 });
          register[i] = use / 2;
        } else {
          register[i] = (register[i] as number) + use;
        }
        rows.push({ meterId: meterIdOf(i), ts, reading: Math.round((register[i] as number) * 1000) / 1000, estimated: rand() < 0.01 });
      }
    }
    yield rows;
  }
}
