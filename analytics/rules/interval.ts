import { dayStart, monthStart } from '../../core/time.ts';
import type { MeterInfo } from './context.ts';

/** Two consecutive reads of one meter, by event time: what the reading rules look at. */
export interface ReadingInterval {
  meter: MeterInfo;
  prev?: { ts: number; reading: number } | undefined;
  cur: { ts: number; reading: number; flow?: number | undefined; flags?: readonly string[] | undefined };
}

export const HOUR = 3_600_000;

/** Register resolution: a step back by less than this is float noise, not a register running backwards. */
export const BACKWARDS_TOLERANCE = 0.001;

export function hours(i: ReadingInterval): number | undefined {
  return i.prev && i.cur.ts > i.prev.ts ? (i.cur.ts - i.prev.ts) / HOUR : undefined;
}

export function delta(i: ReadingInterval): number | undefined {
  return i.prev ? i.cur.reading - i.prev.reading : undefined;
}

/** Most a healthy meter can advance over the interval: Qmax × hours, with room for rounding. */
export function allowedAdvance(qmax: number, h: number): number {
  return qmax * h * 1.1 + 0.05;
}

export function dayPeriod(ts: number, zone: string): { periodStart: number; periodEnd: number } {
  const start = dayStart(ts, zone);
  return { periodStart: start, periodEnd: dayStart(start + 36 * HOUR, zone) };
}

export function monthPeriod(ts: number, zone: string): { periodStart: number; periodEnd: number } {
  const start = monthStart(ts, zone);
  return { periodStart: start, periodEnd: monthStart(start + 40 * 24 * HOUR, zone) };
}

/** Flags as stored: a JSON array, or comma-separated. */
export function parseFlags(text: string | null | undefined): string[] {
  if (!text) return [];
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }
  return t.split(/[,;\s]+/).filter(Boolean);
}
