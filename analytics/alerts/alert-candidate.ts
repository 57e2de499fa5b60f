import { createHash } from 'node:crypto';
import type { Alert, RuleId, Severity } from '../../core/types.ts';

/**
 * What a rule proposes: an Alert (core/types.ts) before the sink gives it an id, a raising
 * time and a status, plus where the customer is. The sink turns it into an Alert or
 * recognises a known one.
 */
export type AlertCandidate = Omit<Alert, 'id' | 'raisedAt' | 'status' | 'evidence'> & {
  district?: string | undefined;
  route?: string | undefined;
  /** What an analyst can check by hand: the months compared, the readings that ran backwards… */
  evidence: Record<string, unknown>;
};

/** One alert per (meter, rule, period) (interface.md §3): the id is derived from that key. */
export function alertKey(meterId: string, rule: RuleId, periodStart: number): string {
  return `${rule}|${meterId}|${periodStart}`;
}

export function alertId(meterId: string, rule: RuleId, periodStart: number): string {
  return createHash('sha1').update(alertKey(meterId, rule, periodStart)).digest('hex').slice(0, 20);
}

const ORDER: Severity[] = ['info', 'warning', 'critical'];
export function raiseSeverity(s: Severity): Severity {
  return ORDER[Math.min(ORDER.length - 1, ORDER.indexOf(s) + 1)]!;
}
