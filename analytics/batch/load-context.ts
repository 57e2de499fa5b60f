import type { MeterStatus } from '../../core/types.ts';
import { qmaxForSpec } from '../../core/gsize.ts';
import type { SqlClient } from '../../storage/sql.ts';
import type { BatchContext, MeterInfo, MeterSeries, RuleConfig, StatusInterval } from '../rules/context.ts';
import { loadBlacklist } from './blacklist.ts';
import { loadMonthlyHdd } from './weather-query.ts';
import { monthlyUsage, type RegisterPoint } from './monthly-usage.ts';
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

/** Everything the batch rules need as of `asOf`, in a handful of pushed-down queries. */
export async function loadBatchContext(sql: SqlClient, asOf: number, zone: string, cfg: RuleConfig): Promise<BatchContext> {
  const [registry, history, monthRows, latest, changes, blacklist, contacts, hddByMonth] = await Promise.all([
    registryAsOf(sql, asOf),
    statusHistory(sql, asOf),
    monthlyReads(sql, asOf, zone),
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

  monthRows.sort((a, b) => (a.meter_id < b.meter_id ? -1 : a.meter_id > b.meter_id ? 1 : a.ts - b.ts));
  const cadence = new Map<string, number[]>();
  const readsPerMonth = new Map<string, Map<number, number>>();
  for (const m of monthRows) {
    const counts = readsPerMonth.get(m.meter_id) ?? new Map<number, number>();
    counts.set(m.ts, m.n);
    readsPerMonth.set(m.meter_id, counts);
    const s = series(m.meter_id);
    // Within a month with several reads, the mean interval; a month with one read says ~a month.
    const gaps = cadence.get(m.meter_id) ?? [];
    gaps.push(m.n > 1 ? (m.t1 - m.t0) / (m.n - 1) / 86_400_000 : 30);
    cadence.set(m.meter_id, gaps);
    s.points.push({ t: m.t0, r: m.r0 });
    if (m.t1 > m.t0) s.points.push({ t: m.t1, r: m.r1 });
    if (m.max_flow !== null && m.max_flow !== undefined) s.monthPeakFlow.set(m.ts, m.max_flow);
  }
  for (const [id, gaps] of cadence) {
    gaps.sort((a, b) => a - b);
    series(id).typicalGapDays = gaps[gaps.length >> 1];
  }
  for (const s of meters.values()) {
    s.months = monthlyUsage(s.points as RegisterPoint[], asOf, zone);
    // The points are each month's first and last read only: take the true count from SQL.
    const counts = readsPerMonth.get(s.info.meterId);
    for (const m of s.months) m.reads = counts?.get(m.start) ?? 0;
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
