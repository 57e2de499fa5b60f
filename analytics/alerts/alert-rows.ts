import type { Alert, AlertStatus, RuleId, Severity } from '../../core/types.ts';
import { ilpLine } from '../../storage/ilp-http.ts';

/** An alert as stored: the public Alert plus where the customer is. */
export interface StoredAlert extends Alert {
  district?: string | undefined;
  route?: string | undefined;
  updatedAt: number;
}

export const ALERT_COLUMNS =
  'period_start, period_end, raised_at, updated_at, id, meter_id, customer_id, district, route, rule, severity, status, value, threshold, score, message, evidence';

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

/** The alert as one ILP line of the `alerts` table (period_start is the designated timestamp). */
export function alertIlpLine(a: StoredAlert): string {
  const num = (v: number) => (Number.isFinite(v) ? { kind: 'double' as const, value: v } : undefined);
  return ilpLine('alerts', {
    ts: a.periodStart,
    symbols: { meter_id: a.meterId, customer_id: a.customerId, district: a.district, route: a.route, rule: a.rule, severity: a.severity, status: a.status },
    fields: {
      period_end: { kind: 'timestamp', value: a.periodEnd },
      raised_at: { kind: 'timestamp', value: a.raisedAt },
      updated_at: { kind: 'timestamp', value: a.updatedAt },
      id: { kind: 'string', value: a.id },
      value: num(a.value),
      threshold: num(a.threshold),
      score: num(a.score),
      message: { kind: 'string', value: a.message.replace(/[\r\n]+/g, ' ') },
      evidence: { kind: 'string', value: JSON.stringify(a.evidence ?? {}) },
    },
  });
}
