import { DateTime } from 'luxon';

/**
 * The visit schedule of the visit classes (domain.md §4; issue 6 item 2), as pure functions
 * over hand-checkable inputs: class-making alerts, ledger visits, registry rows.
 *
 * - Large-flow class (≥ 40 m³/h, `large_flow` alerts): on-site check TWICE a month, in two
 *   windows of the company zone: the 1st–15th and the 16th–end of the month.
 * - Monthly-visit class (residential ≥ 100 m³/month, `residential_high` alerts at or above
 *   MW_RULE_RESIDENTIAL_VISIT): one window, the calendar month.
 *
 * Membership: a class-making alert for month M (interface.md §3: both rules use the calendar
 * month) keeps the customer in the class from M through M + `classMonths` (MW_VISIT_*_MONTHS,
 * default 12: "12 months since the last qualifying month"); a later alert extends it, and
 * with no new alert the class lapses. A customer in both classes is scheduled by the more
 * frequent cadence (the large-flow windows cover the monthly one), as the ledger's own due
 * dates do (analytics/ledger/site-visit.ts).
 *
 * A window's visit is done when a ledger case visit of the customer (or, without a customer
 * id, of the meter) was made inside the window; a visit in the first half-month does not
 * satisfy the second. An undone window whose end has passed is overdue.
 */
export const VISIT_CLASSES = ['large_flow', 'monthly'] as const;
export type VisitClass = (typeof VISIT_CLASSES)[number];

/** An alert that may put a meter in a visit class (only rule, meter, month start and value matter). */
export interface ClassAlert {
  meterId: string;
  customerId?: string | undefined;
  rule: string;
  periodStart: number;
  value: number;
}

/** A site visit recorded in the ledger (a case's `visit` event). */
export interface LedgerVisit {
  meterId: string;
  customerId?: string | undefined;
  at: number;
  by: string;
  caseId: string;
}

export interface ClassOptions {
  zone: string;
  /** MW_RULE_RESIDENTIAL_VISIT, m³/month. */
  monthlyVisitM3: number;
  /** Months a customer stays in the large-flow class after its last large_flow month. */
  largeFlowMonths: number;
  /** Months a customer stays in the monthly-visit class after its last qualifying month. */
  monthlyMonths: number;
}

export interface ClassMember {
  meterId: string;
  customerId?: string | undefined;
  visitClass: VisitClass;
  /** Start (epoch ms) of the latest month that qualified. */
  lastMonth: number;
  /** The qualifying value of that month (m³/h for large_flow, m³ for residential_high). */
  lastValue: number;
  /** Start of the first month after the class (lapses unless a new alert comes). */
  until: number;
}

export interface VisitWindow {
  start: number;
  /** Exclusive. */
  end: number;
  /** 1 or 2 within the month. */
  index: number;
}

export type WindowState = 'overdue' | 'due' | 'upcoming' | 'done';

export interface ScheduleEntry {
  member: ClassMember;
  window: VisitWindow;
  state: WindowState;
  /** The earliest visit inside the window, when done. */
  visit?: LedgerVisit | undefined;
}

const monthStart = (t: number, zone: string) => DateTime.fromMillis(t, { zone }).startOf('month');

/** Which class an alert makes, if any. */
export function classOfAlert(a: ClassAlert, monthlyVisitM3: number): VisitClass | undefined {
  if (a.rule === 'large_flow') return 'large_flow';
  if (a.rule === 'residential_high' && a.value >= monthlyVisitM3) return 'monthly';
  return undefined;
}

/**
 * Visit-class members as of `asOf`: per meter, its most frequent class whose last qualifying
 * month (at or before the month of `asOf`) is at most `…Months` months back.
 */
export function classMembers(alerts: readonly ClassAlert[], asOf: number, o: ClassOptions): ClassMember[] {
  const current = monthStart(asOf, o.zone);
  const latest = new Map<string, ClassMember>(); // `${meterId}|${class}` → latest qualifying month
  for (const a of alerts) {
    const cls = classOfAlert(a, o.monthlyVisitM3);
    if (!cls) continue;
    const m = monthStart(a.periodStart, o.zone);
    if (m > current) continue; // a month after asOf: not known yet as of asOf
    const key = `${a.meterId}|${cls}`;
    const prev = latest.get(key);
    if (prev && (prev.lastMonth > m.toMillis() || (prev.lastMonth === m.toMillis() && prev.lastValue >= a.value))) continue;
    const months = cls === 'large_flow' ? o.largeFlowMonths : o.monthlyMonths;
    latest.set(key, { meterId: a.meterId, customerId: a.customerId ?? prev?.customerId, visitClass: cls, lastMonth: m.toMillis(), lastValue: a.value, until: m.plus({ months: months + 1 }).toMillis() });
  }
  const byMeter = new Map<string, ClassMember>();
  for (const member of latest.values()) {
    if (member.until <= current.toMillis()) continue; // lapsed
    const other = byMeter.get(member.meterId);
    if (!other || member.visitClass === 'large_flow') byMeter.set(member.meterId, member);
  }
  return [...byMeter.values()];
}

/** The visit windows of the calendar month containing `t`, company zone. */
export function windowsOf(visitClass: VisitClass, t: number, zone: string): VisitWindow[] {
  const m = monthStart(t, zone);
  const next = m.plus({ months: 1 });
  if (visitClass === 'monthly') return [{ start: m.toMillis(), end: next.toMillis(), index: 1 }];
  const mid = m.set({ day: 16 });
  return [
    { start: m.toMillis(), end: mid.toMillis(), index: 1 },
    { start: mid.toMillis(), end: next.toMillis(), index: 2 },
  ];
}

/** Does a visit belong to this member: the same customer, or the same meter when either has no customer id. */
export function visitOf(v: LedgerVisit, m: ClassMember): boolean {
  if (v.customerId && m.customerId) return v.customerId === m.customerId;
  return v.meterId === m.meterId;
}

const STATE_ORDER: Record<WindowState, number> = { overdue: 0, due: 1, upcoming: 2, done: 3 };

/**
 * The current month's windows of every member, with their state as of `asOf`: overdue first,
 * then due now, upcoming, done; within a state by window start, then meter id.
 * Visits made after `asOf` do not count (the schedule as it stood then).
 */
export function visitSchedule(members: readonly ClassMember[], visits: readonly LedgerVisit[], asOf: number, zone: string): ScheduleEntry[] {
  const byKey = new Map<string, LedgerVisit[]>();
  for (const v of visits) {
    if (v.at > asOf) continue;
    for (const key of [`m:${v.meterId}`, v.customerId ? `c:${v.customerId}` : '']) if (key) byKey.set(key, [...(byKey.get(key) ?? []), v]);
  }
  const out: ScheduleEntry[] = [];
  for (const member of members) {
    const candidates = [...(member.customerId ? (byKey.get(`c:${member.customerId}`) ?? []) : []), ...(byKey.get(`m:${member.meterId}`) ?? [])];
    for (const w of windowsOf(member.visitClass, asOf, zone)) {
      const inside = candidates.filter((v) => visitOf(v, member) && v.at >= w.start && v.at < w.end).sort((a, b) => a.at - b.at);
      const visit = inside[0];
      const state: WindowState = visit ? 'done' : w.end <= asOf ? 'overdue' : w.start <= asOf ? 'due' : 'upcoming';
      out.push({ member, window: w, state, visit });
    }
  }
  return out.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.window.start - b.window.start || a.member.meterId.localeCompare(b.member.meterId));
}
