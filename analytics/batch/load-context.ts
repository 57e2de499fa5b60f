import type { MeterStatus } from '../../core/types.ts';
import { qmaxForSpec } from '../../core/gsize.ts';
import type { BatchContext, MeterInfo, MeterSeries, RuleConfig, StatusInterval } from '../rules/context.ts';
import { loadBlacklist } from './blacklist.ts';
import { loadMonthlyHdd } from './weather-query.ts';
import { monthlyUsage, type RegisterPoint } from './monthly-usage.ts';
import type { BatchSource, MonthRow } from './queries.ts';

export type { BatchSource };
import { lastRegisterChange, latestContacts, latestReads, monthlyReads, registryAsOf, statusHistory, type RegistryRow } from './queries.ts';

export function meterInfoFromRow(r: RegistryRow, blacklisted: boolean): MeterInfo {
  return {
    meterId: r.meter_id,
    customerId: r.customer_id ?? undefined,
    district: r.district ?? undefined,
    route: r.route ?? undefined,
    category: r.category ?? undefined,
    kind: r.kind ?? undefined,
    status: r.status ?? undefined,
    qmax: r.qmax ?? qmaxForSpec(r.spec) ?? undefined,
    parentMeterId: r.parent_meter_id ?? undefined,
    activatedAt: r.activated_at ?? undefined,
    blacklisted,
  };
}

export function statusIntervals(rows: readonly { ts: number; status: MeterStatus | null }[], end: number): StatusInterval[] {
  const out: StatusInterval[] = [];
  for (const r of rows) {
    if (!r.status) continue;
    const last = out[out.length - 1];
    if (last && last.status === r.status) continue;
    if (last) last.to = r.ts;
    out.push({ from: r.ts, to: end, status: r.status });
  }
  return out;
}

/** What the month aggregates say of one meter, gathered while they stream in. */
interface MeterMonths {
  points: RegisterPoint[];
  /** month starts and read counts, in arrival (time) order */
  monthStarts: number[];
  counts: number[];
  gaps: number[];
  peak: Map<number, number>;
}

/** Everything the batch rules need as of `asOf`, in a handful of pushed-down queries. */
export async function loadBatchContext(source: BatchSource, asOf: number, zone: string, cfg: RuleConfig, registryRows?: RegistryRow[]): Promise<BatchContext> {
  const { sql } = source;
  // Grouped by meter as they arrive (SAMPLE BY returns time order), not collected as one
  // array of millions of rows and sorted by a string key.
  const byMeter = new Map<string, MeterMonths>();
  const onMonth = ([meterId, ts, t0, t1, r0, r1, n, maxFlow]: MonthRow) => {
    let m = byMeter.get(meterId);
    if (!m) byMeter.set(meterId, (m = { points: [], monthStarts: [], counts: [], gaps: [], peak: new Map() }));
    m.monthStarts.push(ts);
    m.counts.push(n);
    // Within a month with several reads, the mean interval; a month with one read says ~a month.
    m.gaps.push(n > 1 ? (t1 - t0) / (n - 1) / 86_400_000 : 30);
    m.points.push({ t: t0, r: r0 });
    if (t1 > t0) m.points.push({ t: t1, r: r1 });
    if (maxFlow !== null) m.peak.set(ts, maxFlow);
  };
  const [registry, history, , latest, changes, blacklist, contacts, hddByMonth] = await Promise.all([
    registryRows ?? registryAsOf(sql, asOf),
    statusHistory(sql, asOf),
    monthlyReads(source, asOf, zone, onMonth),
    latestReads(sql, asOf),
    lastRegisterChange(sql, asOf),
    loadBlacklist(sql, asOf),
    latestContacts(sql, asOf),
    loadMonthlyHdd(sql, asOf, zone, cfg.hddBase),
  ]);
  const meters = new Map<string, MeterSeries>();
  const series = (id: string): MeterSeries => {
    let s = meters.get(id);
    if (!s) {
      s = { info: { meterId: id, blacklisted: blacklist.has(id) }, statuses: [], points: [], months: [], monthPeakFlow: new Map() };
      meters.set(id, s);
    }
    return s;
  };
  for (const r of registry) {
    const s = series(r.meter_id);
    s.info = meterInfoFromRow(r, blacklist.has(r.meter_id) || (r.customer_id !== null && blacklist.has(r.customer_id)));
  }
  const historyByMeter = new Map<string, { ts: number; status: MeterStatus | null }[]>();
  for (const h of history) {
    const list = historyByMeter.get(h.meter_id) ?? [];
    list.push(h);
    historyByMeter.set(h.meter_id, list);
  }
  for (const [id, rows] of historyByMeter) series(id).statuses = statusIntervals(rows, Number.MAX_SAFE_INTEGER);

  for (const [meterId, m] of byMeter) {
    const s = series(meterId);
    s.points = isSortedByTime(m.points) ? m.points : m.points.sort((a, b) => a.t - b.t);
    s.monthPeakFlow = m.peak;
    m.gaps.sort((a, b) => a - b);
    s.typicalGapDays = m.gaps[m.gaps.length >> 1];
  }
  for (const s of meters.values()) {
    s.months = monthlyUsage(s.points as RegisterPoint[], asOf, zone);
    // The points are each month's first and last read only: take the true count from SQL.
    const counted = byMeter.get(s.info.meterId);
    if (counted) assignReadCounts(s.months, counted.monthStarts, counted.counts);
  }
  for (const l of latest) series(l.meter_id).latest = { ts: l.ts, reading: l.reading };
  for (const c of contacts) series(c.meter_id).lastContact = c.ts;
  for (const c of changes) {
    const s = series(c.meter_id);
    s.lastChange = c.last_change ?? undefined;
    s.flatSince = c.flat_since;
    s.firstTs = c.first_ts;
  }
  const households = new Map<string, string[]>();
  for (const s of meters.values()) {
    const parent = s.info.parentMeterId;
    if (!parent) continue;
    const list = households.get(parent) ?? [];
    list.push(s.info.meterId);
    households.set(parent, list);
  }
  return { asOf, zone, cfg, meters, households, hddByMonth };
}

function isSortedByTime(points: readonly { t: number }[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i]!.t < points[i - 1]!.t) return false;
  return true;
}

/** Each month's read count from the SQL aggregates (month starts ascending on both sides, or looked up when not). */
function assignReadCounts(months: { start: number; reads: number }[], starts: readonly number[], counts: readonly number[]): void {
  if (!isAscending(starts)) {
    const byStart = new Map<number, number>();
    starts.forEach((t, i) => byStart.set(t, counts[i]!));
    for (const m of months) m.reads = byStart.get(m.start) ?? 0;
    return;
  }
  let j = 0;
  for (const m of months) {
    while (j < starts.length && starts[j]! < m.start) j++;
    m.reads = j < starts.length && starts[j] === m.start ? counts[j]! : 0;
  }
}

function isAscending(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i]! <= values[i - 1]!) return false;
  return true;
}
