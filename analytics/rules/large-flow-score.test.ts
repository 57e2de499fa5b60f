import { describe, expect, it } from 'vitest';
import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { scoreAgainstOwnPeaks } from './large-flow.ts';

const month = (i: number) => Date.UTC(2025, i, 1);
const flow = (i: number, value: number): AlertCandidate => ({ meterId: 'M1', rule: 'large_flow', severity: 'warning', periodStart: month(i), periodEnd: month(i + 1), value, threshold: 40, score: value / 40, message: '', evidence: {} });

describe('large_flow scored against the customer’s own peaks', () => {
  it('a customer that stays in the class scores about 1; its first month keeps flow ÷ threshold', () => {
    const list = [flow(0, 200), flow(1, 210), flow(2, 190)];
    scoreAgainstOwnPeaks(list, undefined);
    expect(list.map((c) => c.score)).toEqual([5, 1.05, 0.9]);
    expect(list[1]!.evidence).toMatchObject({ ownPeakLastYear: 200 });
  });

  it('a jump far above last year’s peak scores high; reported flows of quiet months count as history', () => {
    const list = [flow(0, 45), flow(14, 400)];
    scoreAgainstOwnPeaks(list, new Map([[month(13), 50]]));
    expect(list[0]!.score).toBe(45 / 40); // unchanged: nothing before it
    expect(list[1]!.score).toBe(8); // 400 against 50 (13 months before the first alert is out of the year)
  });

  it('history below the threshold does not lower a first entry', () => {
    const list = [flow(5, 60)];
    scoreAgainstOwnPeaks(list, new Map([[month(4), 12]]));
    expect(list[0]!.score).toBe(1.5);
  });
});
