import { DateTime } from 'luxon';
import type { MeterRecord } from '../../core/types.ts';
import { sqlTimestamp, type SqlClient } from '../../storage/sql.ts';
import type { LedgerCase } from '../ledger/case-machine.ts';
import { classMembers, visitSchedule, type ClassAlert, type ClassOptions, type LedgerVisit, type VisitClass, type WindowState } from './visit-schedule.ts';

/**
 * The due-visit list of GET /api/visits/due (issue 6 item 2): class-making alerts from
 * QuestDB, the customers as the registry knew them at `asOf`, the visits recorded in the
 * ledger, put together by the pure schedule (visit-schedule.ts).
 */
export interface VisitsDueDeps {
  sql: SqlClient;
  /** Registry as of a moment (RegistryRepo.metersAsOf). */
  metersAsOf: (meterIds: readonly string[], t: number) => Promise<Map<string, { meter: MeterRecord }>>;
  /** Every visit recorded in the ledger (visitsFromCases over the ledger store). */
  ledgerVisits: () => readonly LedgerVisit[];
  options: ClassOptions;
}

export interface VisitsDueQuery {
  asOf: number;
  district?: string | undefined;
  route?: string | undefined;
  visitClass?: VisitClass | undefined;
}

/** One visit window of one customer: where to go, by when, and whether it was done. */
export interface VisitDueRow {
  meterId: string;
  customerId: string | null;
  customerName: string | null;
  address: string | null;
  contact: string | null;
  district: string | null;
  route: string | null;
  visitClass: VisitClass;
  window: number;
  windowStart: number;
  windowEnd: number;
  state: WindowState;
  done: boolean;
  overdue: boolean;
  visitedAt: number | null;
  inspector: string | null;
  caseId: string | null;
  /** The latest month that put the customer in the class, and its value. */
  classMonth: string;
  classValue: number;
  /** First month outside the class unless a new alert comes. */
  classUntil: string;
}

/** The visits of ledger cases (domain.md §5 inspection records), one per `visit` event. */
export function visitsFromCases(cases: readonly LedgerCase[]): LedgerVisit[] {
  return cases.flatMap((c) => c.visits.map((v) => ({ meterId: c.meterId, customerId: c.customerId, at: v.at, by: v.by, caseId: c.caseId })));
}

/** Class-making alerts of the months that can still hold a class at `asOf`. */
async function classAlerts(sql: SqlClient, asOf: number, o: ClassOptions): Promise<ClassAlert[]> {
  const month = DateTime.fromMillis(asOf, { zone: o.zone }).startOf('month');
  const from = month.minus({ months: Math.max(o.largeFlowMonths, o.monthlyMonths) }).toMillis();
  const to = month.plus({ months: 1 }).toMillis();
  const rows = await sql.query<{ meter_id: string; customer_id: string | null; rule: string; period_start: number; value: number }>(
    `SELECT meter_id, customer_id, rule, period_start, value FROM alerts
     WHERE period_start >= ${sqlTimestamp(from)} AND period_start < ${sqlTimestamp(to)}
       AND (rule = 'large_flow' OR (rule = 'residential_high' AND value >= ${Number(o.monthlyVisitM3)}))`,
  );
  return rows.map((r) => ({ meterId: r.meter_id, customerId: r.customer_id ?? undefined, rule: r.rule, periodStart: Number(r.period_start), value: Number(r.value) }));
}

export async function visitsDue(deps: VisitsDueDeps, q: VisitsDueQuery): Promise<VisitDueRow[]> {
  const zone = deps.options.zone;
  const members = classMembers(await classAlerts(deps.sql, q.asOf, deps.options), q.asOf, deps.options).filter((m) => !q.visitClass || m.visitClass === q.visitClass);
  const registry = members.length ? await deps.metersAsOf(members.map((m) => m.meterId), q.asOf) : new Map<string, { meter: MeterRecord }>();
  // The registry as of asOf decides who the customer is and where: a removed meter has no
  // premises to visit, and a class belongs to the customer (domain.md §4), so a meter that
  // has changed customers since its qualifying alert is not scheduled for the new one.
  const placed = members
    .map((m) => ({ m, meter: registry.get(m.meterId)?.meter }))
    .filter(({ meter }) => meter?.status !== 'removed')
    .filter(({ m, meter }) => !m.customerId || !meter?.customerId || m.customerId === meter.customerId)
    .filter(({ meter }) => (!q.district || meter?.district === q.district) && (!q.route || meter?.route === q.route))
    .map(({ m, meter }) => ({ member: { ...m, customerId: meter?.customerId ?? m.customerId }, meter }));
  const meters = new Map(placed.map((p) => [p.member.meterId, p.meter]));
  const month = (t: number) => DateTime.fromMillis(t, { zone }).toFormat('yyyy-LL');
  return visitSchedule(placed.map((p) => p.member), deps.ledgerVisits(), q.asOf, zone).map(({ member, window, state, visit }) => {
    const meter = meters.get(member.meterId);
    return {
      meterId: member.meterId,
      customerId: member.customerId ?? null,
      customerName: meter?.customerName ?? null,
      address: meter?.address ?? null,
      contact: meter?.contact ?? null,
      district: meter?.district ?? null,
      route: meter?.route ?? null,
      visitClass: member.visitClass,
      window: window.index,
      windowStart: window.start,
      windowEnd: window.end,
      state,
      done: state === 'done',
      overdue: state === 'overdue',
      visitedAt: visit?.at ?? null,
      inspector: visit?.by ?? null,
      caseId: visit?.caseId ?? null,
      classMonth: month(member.lastMonth),
      classValue: member.lastValue,
      classUntil: month(member.until),
    };
  });
}
