import type { MeterSeries } from '../rules/context.ts';
import { allowedAdvance, BACKWARDS_TOLERANCE, HOUR } from '../rules/interval.ts';
import type { FlaggedRead, IntervalRow } from './queries.ts';

/**
 * The rows of `suspiciousIntervals` (queries.ts) computed from the meters' register points,
 * for a fleet whose points are every read before asOf (no month read more than twice: the
 * month aggregates carry each month's first and last read) and that reports no flow. At
 * 100k meters × 25 months the SQL's window scan costs QuestDB ~4 s of CPU in the middle of
 * the context load; here it is one pass over points already in memory.
 *
 * Same conditions as the SQL: the register ran backwards, the rate (delta ÷ hours) reached
 * `rateFloor`, the delta exceeded Qmax × hours, or the read carries a flag (`flagged`, from
 * QuestDB: flags are not in the month aggregates). Qmax is the rules' own (the registry's,
 * or the one its size gives). Returns undefined when a flagged read is not among the points,
 * which would mean the points are not every read after all, or when some meter reported a
 * flow (a month's peak flow is known, not each read's): the caller asks QuestDB then.
 */
export function intervalsFromPoints(meters: ReadonlyMap<string, MeterSeries>, flagged: readonly FlaggedRead[], asOf: number, rateFloor: number): IntervalRow[] | undefined {
  for (const s of meters.values()) if (s.monthPeakFlow.size > 0) return undefined;
  const flags = new Map<string, Map<number, FlaggedRead>>();
  for (const f of flagged) {
    let byTs = flags.get(f.meter_id);
    if (!byTs) flags.set(f.meter_id, (byTs = new Map()));
    byTs.set(f.ts, f);
  }
  let matched = 0;
  const out: IntervalRow[] = [];
  for (const [meterId, s] of meters) {
    const points = s.points;
    const qmax = s.info.qmax ?? null;
    const flaggedHere = flags.get(meterId);
    for (let k = 0; k < points.length && points[k]!.t < asOf; k++) {
      const cur = points[k]!;
      const f = flaggedHere?.get(cur.t);
      if (f) matched++;
      if (k === 0) {
        if (f) out.push(row(meterId, cur.t, cur.r, f, null, null, qmax));
        continue;
      }
      const prev = points[k - 1]!;
      const delta = cur.r - prev.r;
      const hours = (cur.t - prev.t) / HOUR;
      const suspicious = f !== undefined || cur.r < prev.r - BACKWARDS_TOLERANCE || delta >= rateFloor * hours || (qmax !== null && delta > allowedAdvance(qmax, hours));
      if (suspicious) out.push(row(meterId, cur.t, cur.r, f, prev.t, prev.r, qmax));
    }
  }
  return matched === flagged.length ? out : undefined;
}

function row(meterId: string, ts: number, reading: number, f: FlaggedRead | undefined, prevTs: number | null, prevReading: number | null, qmax: number | null): IntervalRow {
  return { meter_id: meterId, ts, reading, flow: f?.flow ?? null, flags: f?.flags ?? null, prev_ts: prevTs, prev_reading: prevReading, qmax };
}
