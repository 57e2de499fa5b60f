import type { MeterStatus } from '../../core/types.ts';
import { qmaxForSpec } from '../../core/gsize.ts';
import { StringPool } from '../../core/string-pool.ts';
import type { BatchContext, MeterInfo, MeterSeries, RuleConfig, StatusInterval } from '../rules/context.ts';
import { loadBlacklist } from './blacklist.ts';
import { loadMonthlyHdd } from './weather-query.ts';
import { monthlyUsage, type MonthUsage, type RegisterPoint } from './monthly-usage.ts';
import type { BatchSource, MonthRowSink } from './queries.ts';

export type { BatchSource };
import { registerFlat, type RegisterFlat } from './register-flat.ts';
import { lastRegisterChange, latestContacts, latestReads, monthlyReads, registryAsOf, statusHistory, type RegistryRow } from './queries.ts';

/** A registry row as the rules see it; `pool` keeps one copy of the fields many meters share (district, route, category, kind, status). */
export function meterInfoFromRow(r: RegistryRow, blacklisted: boolean, pool?: StringPool): MeterInfo {
  const shared = <T extends string | null>(v: T): T => (pool ? pool.of(v) : v);
  return {
    meterId: r.meter_id,
    customerId: r.customer_id ?? undefined,
    district: shared(r.district) ?? undefined,
    route: shared(r.route) ?? undefined,
    category: shared(r.category) ?? undefined,
    kind: shared(r.kind) ?? undefined,
    status: shared(r.status) ?? undefined,
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

/** One meter's months, built as soon as its last aggregate row arrives. */
interface MeterMonths {
  points: RegisterPoint[];
  months: MonthUsage[];
  peak: Map<number, number>;
  typicalGapDays: number;
  /** from the points, when they are all of the meter's reads (no month read more than twice) */
  flat?: RegisterFlat | undefined;
}

/**
 * Collects the month aggregates of one meter at a time (they arrive ordered by meter, then
 * month) and turns them into its register points and months when the next meter begins:
 * nothing per row outlives its meter, and no map is looked up per row (100k meters × 25
 * months are 2.7M rows).
 */
class MonthCollector {
  readonly byMeter = new Map<string, MeterMonths>();
  private meterId: string | undefined;
  private points: RegisterPoint[] = [];
  private starts: number[] = [];
  private counts: number[] = [];
  private gaps: number[] = [];
  private peak = new Map<number, number>();
  private mostReadsInAMonth = 0;
  /** Some meter had a month of more than two reads: its points are not all its reads. */
  someReadsUnseen = false;

  constructor(
    private readonly asOf: number,
    private readonly zone: string,
  ) {}

  readonly onRow: MonthRowSink = (meterId, ts, t0, t1, r0, r1, n, maxFlow) => {
    if (meterId !== this.meterId) this.begin(meterId);
    this.starts.push(ts);
    this.counts.push(n);
    if (n > this.mostReadsInAMonth) this.mostReadsInAMonth = n;
    // Within a month with several reads, the mean interval; a month with one read says ~a month.
    this.gaps.push(n > 1 ? (t1 - t0) / (n - 1) / 86_400_000 : 30);
    this.points.push({ t: t0, r: r0 });
    if (t1 > t0) this.points.push({ t: t1, r: r1 });
    if (maxFlow !== null) this.peak.set(ts, maxFlow);
  };

  /** Call once after the last row. */
  finish(): Map<string, MeterMonths> {
    this.close();
    return this.byMeter;
  }

  private begin(meterId: string): void {
    this.close();
    if (this.byMeter.has(meterId)) throw new Error(`month aggregates of meter ${meterId} arrived out of meter order`);
    // A copy: the id arrives as a slice of a large chunk of CSV text, which it would keep alive.
    this.meterId = (' ' + meterId).slice(1);
  }

  private close(): void {
    if (this.meterId === undefined) return;
    const points = isSortedByTime(this.points) ? this.points : this.points.sort((a, b) => a.t - b.t);
    const months = monthlyUsage(points, this.asOf, this.zone);
    // The points are each month's first and last read only: take the true count from SQL.
    assignReadCounts(months, this.starts, this.counts);
    const gaps = this.gaps.sort((a, b) => a - b);
    const allReads = this.mostReadsInAMonth <= 2;
    if (!allReads) this.someReadsUnseen = true;
    this.byMeter.set(this.meterId, { points, months, peak: this.peak, typicalGapDays: gaps[gaps.length >> 1]!, flat: allReads ? registerFlat(points, this.asOf) : undefined });
    this.mostReadsInAMonth = 0;
    this.meterId = undefined;
    this.points = [];
    this.starts = [];
    this.counts = [];
    this.gaps = [];
    this.peak = new Map();
  }
}

/**
 * Whether some registered meter may be read more than twice a month: a smart meter, or one of
 * no kind. Handheld (mechanical) and IC meters are not, so their month aggregates hold every read.
 */
export function readsOften(registry: readonly RegistryRow[]): boolean {
  return registry.some((r) => r.kind !== 'mechanical' && r.kind !== 'ic');
}

/** Everything the batch rules need as of `asOf`, in a handful of pushed-down queries. */
export async function loadBatchContext(source: BatchSource, asOf: number, zone: string, cfg: RuleConfig, registryRows?: RegistryRow[]): Promise<BatchContext> {
  const { sql } = source;
  const collector = new MonthCollector(asOf, zone);
  const registry = registryRows ?? (await registryAsOf(sql, asOf));
  // The register's last change is a scan of every read (2–3 s of QuestDB's CPU at 2.7M
  // reads). Meters read at most twice a month (handheld, IC) have every read in their month
  // aggregates, so it is computed here (register-flat.ts); QuestDB is asked only when the
  // fleet has meters that read more often (smart, or of unknown kind: asked alongside the
  // other queries), or when a month turns out to hold more reads after all (asked after).
  const frequentReaders = readsOften(registry);
  const [history, , latest, changesAlongside, blacklist, contacts, hddByMonth] = await Promise.all([
    statusHistory(sql, asOf),
    monthlyReads(source, asOf, zone, collector.onRow),
    latestReads(sql, asOf),
    frequentReaders ? lastRegisterChange(sql, asOf) : undefined,
    loadBlacklist(sql, asOf),
    latestContacts(sql, asOf),
    loadMonthlyHdd(sql, asOf, zone, cfg.hddBase),
  ]);
  const changes = changesAlongside ?? (collector.someReadsUnseen ? await lastRegisterChange(sql, asOf) : undefined);
  const meters = new Map<string, MeterSeries>();
  const series = (id: string): MeterSeries => {
    let s = meters.get(id);
    if (!s) {
      s = { info: { meterId: id, blacklisted: blacklist.has(id) }, statuses: [], points: [], months: [], monthPeakFlow: new Map() };
      meters.set(id, s);
    }
    return s;
  };
  const pool = new StringPool();
  for (const r of registry) {
    const s = series(r.meter_id);
    s.info = meterInfoFromRow(r, blacklist.has(r.meter_id) || (r.customer_id !== null && blacklist.has(r.customer_id)), pool);
  }
  const historyByMeter = new Map<string, { ts: number; status: MeterStatus | null }[]>();
  for (const h of history) {
    const list = historyByMeter.get(h.meter_id) ?? [];
    list.push(h);
    historyByMeter.set(h.meter_id, list);
  }
  for (const [id, rows] of historyByMeter) series(id).statuses = statusIntervals(rows, Number.MAX_SAFE_INTEGER);

  for (const [meterId, m] of collector.finish()) {
    const s = series(meterId);
    s.points = m.points;
    s.months = m.months;
    s.monthPeakFlow = m.peak;
    s.typicalGapDays = m.typicalGapDays;
    if (!changes && m.flat) {
      s.lastChange = m.flat.lastChange;
      s.flatSince = m.flat.flatSince;
      s.firstTs = m.flat.firstTs;
    }
  }
  for (const l of latest) series(l.meter_id).latest = { ts: l.ts, reading: l.reading };
  for (const c of contacts) series(c.meter_id).lastContact = c.ts;
  for (const c of changes ?? []) {
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
  return { asOf, zone, cfg, meters, households, hddByMonth, everyRead: !collector.someReadsUnseen };
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
