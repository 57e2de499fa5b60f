import { DateTime } from 'luxon';
import type { Row, SqlClient } from '../../storage/sql.ts';
import { sqlString, sqlTimestamp } from '../../storage/sql.ts';

/**
 * Reading KPIs per reader and route for one month (domain.md §3 "three rules" and "four
 * targets"; issue 7 item 5):
 * - should read: meters on the route, active at month end and not activated this month
 *   (domain.md §2: active − vacant − removed − suspended − sealed − newly activated);
 * - read-seen rate (抄见率, target ≥ 98.5 %): share of those with a real (not estimated) read
 *   by the reader this month; coverage (抄表率): share with any read, estimates included;
 * - estimated share: estimated reads ÷ all the reader's reads on the route;
 * - reads outside the 6th–25th window (company time zone);
 * - stuck, dead or broken meters on the route whose fault was more than 30 days old at
 *   month end and not closed by then (domain.md §4: a reader performance failure).
 * Reads are the handheld ones (those carrying `reader_id`), grouped by the route they were
 * uploaded under.
 */
export interface ReaderKpiOptions {
  month: string;
  zone: string;
  readDayFirst: number;
  readDayLast: number;
  seenTarget: number;
  faultLimitMs: number;
}

export interface ReaderKpi {
  readerId: string | null;
  route: string;
  shouldRead: number;
  readMeters: number;
  seenMeters: number;
  readSeenRate: number | null;
  coverage: number | null;
  meetsSeenTarget: boolean;
  reads: number;
  estimatedReads: number;
  estimatedShare: number | null;
  outsideWindow: number;
  outsideWindowShare: number | null;
  faultsOverLimit: number;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);

export async function readerKpis(sql: SqlClient, o: ReaderKpiOptions): Promise<{ month: string; from: number; to: number; items: ReaderKpi[] }> {
  const start = DateTime.fromFormat(o.month, 'yyyy-LL', { zone: o.zone });
  const from = start.toMillis();
  const to = start.plus({ months: 1 }).toMillis();
  const z = sqlString(o.zone);
  const localDay = `day(to_timezone(ts, ${z}))`;
  const [registry, reads, faults] = await Promise.all([
    sql.query(`SELECT meter_id, route, status, activated_at FROM meter_registry WHERE ts < ${sqlTimestamp(to)} LATEST ON ts PARTITION BY meter_id`),
    sql.query(
      `SELECT reader_id, route, meter_id, count() reads, sum(CASE WHEN estimated THEN 1 ELSE 0 END) est,
        sum(CASE WHEN ${localDay} < ${o.readDayFirst} OR ${localDay} > ${o.readDayLast} THEN 1 ELSE 0 END) outside
       FROM readings WHERE ts >= ${sqlTimestamp(from)} AND ts < ${sqlTimestamp(to)} AND reader_id IS NOT NULL
       GROUP BY reader_id, route, meter_id`,
    ),
    sql.query(
      `SELECT route, count() n FROM alerts
       WHERE rule IN ('stuck_meter', 'dead_meter', 'broken_meter') AND period_start < ${sqlTimestamp(to - o.faultLimitMs)} AND (status <> 'closed' OR updated_at >= ${sqlTimestamp(to)}) GROUP BY route`,
    ),
  ]);
  const shouldRead = new Map<string, Set<string>>();
  for (const r of registry) {
    if (r.status !== 'active' || typeof r.route !== 'string' || (typeof r.activated_at === 'number' && r.activated_at >= from)) continue;
    const set = shouldRead.get(r.route) ?? new Set<string>();
    set.add(String(r.meter_id));
    shouldRead.set(r.route, set);
  }
  const faultsByRoute = new Map(faults.map((f: Row) => [String(f.route), Number(f.n)]));
  const acc = new Map<string, ReaderKpi>();
  for (const r of reads) {
    const route = typeof r.route === 'string' ? r.route : '';
    const key = `${String(r.reader_id)}|${route}`;
    const should = shouldRead.get(route);
    const k = acc.get(key) ?? blank(String(r.reader_id), route, should?.size ?? 0);
    const n = Number(r.reads);
    const est = Number(r.est);
    k.reads += n;
    k.estimatedReads += est;
    k.outsideWindow += Number(r.outside);
    if (should?.has(String(r.meter_id))) {
      k.readMeters++;
      if (est < n) k.seenMeters++;
    }
    acc.set(key, k);
  }
  // Routes nobody read this month still owe their reads.
  for (const [route, set] of shouldRead) if (![...acc.values()].some((k) => k.route === route)) acc.set(`|${route}`, blank(null, route, set.size));
  const items = [...acc.values()].map((k) => {
    const readSeenRate = ratio(k.seenMeters, k.shouldRead);
    return {
      ...k,
      readSeenRate,
      coverage: ratio(k.readMeters, k.shouldRead),
      meetsSeenTarget: readSeenRate !== null && readSeenRate >= o.seenTarget,
      estimatedShare: ratio(k.estimatedReads, k.reads),
      outsideWindowShare: ratio(k.outsideWindow, k.reads),
      faultsOverLimit: faultsByRoute.get(k.route) ?? 0,
    };
  });
  items.sort((a, b) => a.route.localeCompare(b.route) || String(a.readerId).localeCompare(String(b.readerId)));
  return { month: o.month, from, to, items };
}

function blank(readerId: string | null, route: string, shouldRead: number): ReaderKpi {
  return { readerId, route, shouldRead, readMeters: 0, seenMeters: 0, readSeenRate: null, coverage: null, meetsSeenTarget: false, reads: 0, estimatedReads: 0, estimatedShare: null, outsideWindow: 0, outsideWindowShare: null, faultsOverLimit: 0 };
}
