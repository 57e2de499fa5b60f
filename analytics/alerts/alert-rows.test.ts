import { describe, expect, it } from 'vitest';
import { ilpLine } from '../../storage/ilp-http.ts';
import { alertIlpLine, type StoredAlert } from './alert-rows.ts';

/** The line as the generic ILP writer builds it: the hand-written one must be the same text. */
function reference(a: StoredAlert): string {
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

const base: StoredAlert = {
  id: 'a1b2c3',
  raisedAt: 1_767_225_600_123,
  updatedAt: 1_767_225_600_456,
  meterId: 'M-1',
  customerId: 'C 1,=x',
  district: '朝阳 区',
  route: 'R\\7',
  rule: 'yoy_deviation',
  severity: 'warning',
  periodStart: 1_764_547_200_000,
  periodEnd: 1_767_225_600_000,
  value: -12.5,
  threshold: -5,
  score: 3,
  message: 'said "low"\nsecond line',
  status: 'open',
  evidence: { months: ['2025-12', '2024-12'], quote: 'a "b" \\ c' },
};

describe('alertIlpLine', () => {
  it('writes the same text as the generic ILP writer, escapes included', () => {
    expect(alertIlpLine(base)).toBe(reference(base));
  });

  it('leaves out missing customer, district, route and non-finite numbers like the generic writer', () => {
    const bare: StoredAlert = { ...base, customerId: undefined, district: undefined, route: '', value: Number.NaN, threshold: Number.POSITIVE_INFINITY, score: 0, evidence: undefined, message: 'plain' };
    expect(alertIlpLine(bare)).toBe(reference(bare));
    expect(alertIlpLine(bare)).not.toContain('customer_id=');
    expect(alertIlpLine(bare)).not.toContain('value=');
  });
});
