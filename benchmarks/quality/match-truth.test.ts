import { describe, expect, it } from 'vitest';
import { matchTruth, type AlertOut, type ExpectedAlert } from './match-truth.ts';

const alert = (meterId: string, rule: string, periodStart: string): AlertOut => ({ id: `${meterId}${rule}${periodStart}`, meterId, rule, periodStart, periodEnd: periodStart, score: 1 });
const truth = (meterId: string, rule: string, periodStart: string): ExpectedAlert => ({ kind: 'expected_alert', meterId, rule, periodStart });

describe('matchTruth', () => {
  it('matches monthly rules on the month in the company zone, state rules within 45 days', () => {
    const q = matchTruth(
      [alert('M1', 'residential_high', '2026-10-01T00:00:00+08:00'), alert('M2', 'stuck_meter', '2026-01-04T00:00:00+08:00'), alert('M3', 'stuck_meter', '2026-01-04T00:00:00+08:00')],
      [truth('M1', 'residential_high', '2026-09-30T16:00:00Z'), truth('M2', 'stuck_meter', '2026-01-20T00:00:00+08:00'), truth('M4', 'stuck_meter', '2026-01-20T00:00:00+08:00')],
      'Asia/Shanghai',
    );
    expect(q.residential_high).toMatchObject({ alerts: 1, expected: 1, truePositives: 1, precision: 1, recall: 1 });
    expect(q.stuck_meter).toMatchObject({ alerts: 2, expected: 2, truePositives: 1, precision: 0.5, recall: 0.5 });
  });

  it('counts an expected alert once however many alerts claim it', () => {
    const q = matchTruth([alert('M1', 'dead_meter', '2026-01-01T00:00:00Z'), alert('M1', 'dead_meter', '2026-01-02T00:00:00Z')], [truth('M1', 'dead_meter', '2026-01-01T00:00:00Z')], 'UTC');
    expect(q.dead_meter).toMatchObject({ truePositives: 1, precision: 0.5, recall: 1 });
  });
});

describe('matchTruth for tampering', () => {
  it('matches a change point like a state fault and flags by the day', () => {
    const cp: ExpectedAlert = { kind: 'expected_alert', meterId: 'T1', rule: 'tamper', periodStart: '2025-08-23T00:00:00+08:00', parameters: { evidence: 'change_point' } };
    const flags: ExpectedAlert = { kind: 'expected_alert', meterId: 'T2', rule: 'tamper', periodStart: '2025-08-23T00:00:00+08:00', parameters: { evidence: 'flags' } };
    const q = matchTruth([alert('T1', 'tamper', '2025-09-01T00:00:00+08:00'), alert('T2', 'tamper', '2025-08-24T00:00:00+08:00')], [cp, flags], 'Asia/Shanghai');
    expect(q.tamper).toMatchObject({ truePositives: 1, alerts: 2, expected: 2 });
  });
});
