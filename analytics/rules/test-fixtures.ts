import { DateTime } from 'luxon';
import { loadConfig } from '../../core/config/index.ts';
import { monthlyUsage, type RegisterPoint } from '../batch/monthly-usage.ts';
import type { BatchContext, MeterInfo, MeterSeries, StatusInterval } from './context.ts';

/** Hand-made series for rule unit tests (not used by the product). */
export const TZ = 'Asia/Shanghai';
export const cfg = loadConfig({}).analytics;
export const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();
export const DAY = 86_400_000;

/** Daily reads from `from` to `to` (exclusive), register advancing by use(t). */
export function dailyPoints(from: number, to: number, use: (t: number) => number, start = 100): RegisterPoint[] {
  const out: RegisterPoint[] = [];
  let r = start;
  for (let t = from; t < to; t += DAY) {
    out.push({ t, r });
    r += use(t);
  }
  return out;
}

/** Monthly usage pattern → daily use: `perMonth[m-1]` m³ spread evenly over month m. */
export function byMonth(perMonth: readonly number[]): (t: number) => number {
  return (t) => {
    const d = DateTime.fromMillis(t, { zone: TZ });
    return perMonth[d.month - 1]! / d.daysInMonth!;
  };
}

export function seriesOf(info: Partial<MeterInfo> & { meterId: string }, points: RegisterPoint[], asOf: number, statuses: StatusInterval[] = []): MeterSeries {
  const last = points[points.length - 1];
  let lastChange: number | undefined;
  let flatSince = points[0]?.t;
  for (let i = points.length - 1; i >= 0; i--) {
    if (Math.abs(points[i]!.r - last!.r) > 0.001) {
      lastChange = points[i]!.t;
      flatSince = points[i + 1]?.t;
      break;
    }
  }
  return {
    info: { blacklisted: false, status: 'active', kind: 'smart', ...info },
    statuses,
    points,
    months: monthlyUsage(points, asOf, TZ),
    monthPeakFlow: new Map(),
    latest: last ? { ts: last.t, reading: last.r } : undefined,
    lastChange,
    flatSince,
    firstTs: points[0]?.t,
  };
}

export function context(asOf: number, series: MeterSeries[]): BatchContext {
  const households = new Map<string, string[]>();
  for (const s of series) {
    if (!s.info.parentMeterId) continue;
    households.set(s.info.parentMeterId, [...(households.get(s.info.parentMeterId) ?? []), s.info.meterId]);
  }
  return { asOf, zone: TZ, cfg, meters: new Map(series.map((s) => [s.info.meterId, s])), households };
}
