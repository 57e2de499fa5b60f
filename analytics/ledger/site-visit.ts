import { DateTime } from 'luxon';
import type { MeterCategory, RuleId } from '../../core/types.ts';
import type { CaseAlertRef } from './case-machine.ts';

/**
 * Which alerts need a site visit, and so open or join a ledger case (domain.md §4 "what must
 * follow"): every rule names a visit, inspection or removal of the meter, except
 * `ic_verification_due`, which is the IC-card area manager's routine visit schedule (domain.md
 * §1, §4 "IC-card verification") and not evidence against the customer.
 */
export const RULES_WITHOUT_VISIT: readonly RuleId[] = ['ic_verification_due'];

export function needsSiteVisit(rule: RuleId): boolean {
  return !RULES_WITHOUT_VISIT.includes(rule);
}

export interface VisitClasses {
  /** ≥ 40 m³/h customer: on-site check twice a month. */
  largeFlow: boolean;
  /** ≥ 100 m³/month: site check every month. */
  highMonthly: boolean;
  /** residential bulk meter: every two months. */
  bulk: boolean;
}

/** The visit classes a case shows by its own alerts and the meter's category (domain.md §4). */
export function visitClasses(alerts: readonly CaseAlertRef[], category: MeterCategory | undefined, monthlyVisitM3: number): VisitClasses {
  return {
    largeFlow: alerts.some((a) => a.rule === 'large_flow'),
    highMonthly: alerts.some((a) => a.rule === 'residential_high' && a.value >= monthlyVisitM3),
    bulk: category === 'residential_bulk',
  };
}

/**
 * Default due date of an assigned visit: the customer's visit cadence (domain.md §4) —
 * half a month for the ≥ 40 m³/h class, a month for ≥ 100 m³/month, two months for bulk
 * meters — the most frequent one that applies; otherwise `defaultMs` (MW_LEDGER_VISIT_DUE).
 * Calendar arithmetic in the company zone.
 */
export function visitDueAt(assignedAt: number, classes: VisitClasses, zone: string, defaultMs: number): { dueAt: number; cadence: string } {
  const t = DateTime.fromMillis(assignedAt, { zone });
  if (classes.largeFlow) return { dueAt: t.plus({ days: 15 }).toMillis(), cadence: 'twice a month (≥ 40 m³/h class)' };
  if (classes.highMonthly) return { dueAt: t.plus({ months: 1 }).toMillis(), cadence: 'monthly (≥ 100 m³/month class)' };
  if (classes.bulk) return { dueAt: t.plus({ months: 2 }).toMillis(), cadence: 'every two months (residential bulk meter)' };
  return { dueAt: assignedAt + defaultMs, cadence: 'default' };
}
