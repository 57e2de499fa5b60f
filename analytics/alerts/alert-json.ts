import { formatInZone } from '../../core/time.ts';
import type { StoredAlert } from './alert-rows.ts';

/** An alert as the public interface shows it (interface.md §3): times as ISO 8601 in the company zone. */
export function alertJson(a: StoredAlert, zone: string): Record<string, unknown> {
  return {
    id: a.id,
    raisedAt: formatInZone(a.raisedAt, zone),
    meterId: a.meterId,
    customerId: a.customerId ?? null,
    rule: a.rule,
    severity: a.severity,
    periodStart: formatInZone(a.periodStart, zone),
    periodEnd: formatInZone(a.periodEnd, zone),
    value: a.value,
    threshold: a.threshold,
    score: a.score,
    message: a.message,
    status: a.status,
    district: a.district ?? null,
    route: a.route ?? null,
    updatedAt: formatInZone(a.updatedAt, zone),
    evidence: a.evidence ?? null,
  };
}
