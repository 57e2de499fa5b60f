import type { Alert, AlertStatus, RuleId, Severity } from '../../core/types.ts';
import { escapeSymbol, ilpDouble, quoteString } from '../../storage/ilp-http.ts';

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

/**
 * The alert as one ILP line of the `alerts` table (period_start is the designated timestamp).
 * Written out by hand, not through ilpLine's row objects: a first batch pass writes
 * hundreds of thousands of alerts, and the intermediate objects cost more than the text.
 */
export function alertIlpLine(a: StoredAlert): string {
  return new AlertLines().line(a);
}

/**
 * alertIlpLine for many alerts: what repeats is written out once — the run's raising time,
 * the month of alerts sorted by period.
 */
export class AlertLines {
  private readonly stamps = [new Stamp(), new Stamp(), new Stamp(), new Stamp()] as const;

  line(a: StoredAlert): string {
    const [periodEnd, raisedAt, updatedAt, periodStart] = this.stamps;
    let line = `${this.prefix(a)},rule=${a.rule},severity=${a.severity},status=${a.status} period_end=${periodEnd.micros(a.periodEnd)}t,raised_at=${raisedAt.micros(a.raisedAt)}t,updated_at=${updatedAt.micros(a.updatedAt)}t,id=${quoteString(a.id)}`;
    if (Number.isFinite(a.value)) line += `,value=${ilpDouble(a.value)}`;
    if (Number.isFinite(a.threshold)) line += `,threshold=${ilpDouble(a.threshold)}`;
    if (Number.isFinite(a.score)) line += `,score=${ilpDouble(a.score)}`;
    const message = a.message.includes('\n') || a.message.includes('\r') ? a.message.replace(/[\r\n]+/g, ' ') : a.message;
    return `${line},message=${quoteString(message)},evidence=${quoteString(JSON.stringify(a.evidence ?? {}))} ${periodStart.micros(a.periodStart)}000\n`;
  }

  private prefix(a: StoredAlert): string {
    // Built each time: a pass's alerts go out in period order, so one meter's alerts are far
    // apart, and a map of the meters' prefixes cost more to look up than this to build.
    let text = `alerts,meter_id=${escapeSymbol(a.meterId)}`;
    if (a.customerId) text += `,customer_id=${escapeSymbol(a.customerId)}`;
    if (a.district) text += `,district=${escapeSymbol(a.district)}`;
    if (a.route) text += `,route=${escapeSymbol(a.route)}`;
    return text;
  }
}

/** Epoch ms as microseconds text, remembering the last one (consecutive alerts share their times). */
class Stamp {
  private ms = Number.NaN;
  private text = '';

  micros(ms: number): string {
    if (ms !== this.ms) {
      this.ms = ms;
      this.text = `${Math.trunc(ms)}000`;
    }
    return this.text;
  }
}
