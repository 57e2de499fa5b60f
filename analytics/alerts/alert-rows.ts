import type { Alert, AlertStatus, RuleId, Severity } from '../../core/types.ts';
import { sqlString, sqlTimestamp } from '../../storage/sql.ts';

/** An alert as stored: the public Alert plus where the customer is. */
export interface StoredAlert extends Alert {
  district?: string | undefined;
  route?: string | undefined;
  updatedAt: number;
}

export const ALERT_COLUMNS =
  'period_start, period_end, raised_at, updated_at, id, meter_id, customer_id, district, route, rule, severity, status, value, threshold, score, message, evidence';

const str = (v: string | undefined | null) => (v === undefined || v === null || v === '' ? 'NULL' : sqlString(v));
const num = (v: number) => (Number.isFinite(v) ? String(v) : 'NULL');

export function alertValuesSql(a: StoredAlert): string {
  return `(${sqlTimestamp(a.periodStart)}, ${sqlTimestamp(a.periodEnd)}, ${sqlTimestamp(a.raisedAt)}, ${sqlTimestamp(a.updatedAt)}, ${sqlString(a.id)}, ${sqlString(a.meterId)}, ${str(a.customerId)}, ${str(a.district)}, ${str(a.route)}, ${sqlString(a.rule)}, ${sqlString(a.severity)}, ${sqlString(a.status)}, ${num(a.value)}, ${num(a.threshold)}, ${num(a.score)}, ${sqlString(a.message)}, ${sqlString(JSON.stringify(a.evidence ?? {}))})`;
}

export interface AlertRow {
  period_start: number;
  period_end: number;
  raised_at: number;
  updated_at: number;
  id: string;
  meter_id: string;
  customer_id: string | null;
  district: string | null;
  route: string | null;
  rule: string;
  severity: string;
  status: string;
  value: number | null;
  threshold: number | null;
  score: number | null;
  message: string | null;
  evidence: string | null;
  [k: string]: unknown;
}

export function rowToAlert(r: AlertRow): StoredAlert {
  let evidence: unknown = undefined;
  try {
    evidence = r.evidence ? JSON.parse(r.evidence) : undefined;
  } catch {
    evidence = r.evidence;
  }
  return {
    id: r.id,
    raisedAt: r.raised_at,
    updatedAt: r.updated_at,
    meterId: r.meter_id,
    customerId: r.customer_id ?? undefined,
    district: r.district ?? undefined,
    route: r.route ?? undefined,
    rule: r.rule as RuleId,
    severity: r.severity as Severity,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    value: r.value ?? Number.NaN,
    threshold: r.threshold ?? Number.NaN,
    score: r.score ?? 0,
    message: r.message ?? '',
    status: r.status as AlertStatus,
    evidence,
  };
}
