import { describe, expect, it } from 'vitest';
import type { SimDay } from './calendar.ts';
import type { Fleet, SimMeter } from './fleet-types.ts';
import { TruthOracle } from './truth.ts';

const start = Date.parse('2025-10-01T00:00:00+08:00');
const end = Date.parse('2025-12-01T00:00:00+08:00');
const H = 3_600_000;

/** One smart meter, hourly reads of 1 m³ from `firstAt` to the window's end. */
function monthUsages(firstAt: number): number[] {
  const meter = { record: { meterId: 'M1', category: 'commercial', kind: 'smart', status: 'active', spec: 'G4' }, children: [] } as unknown as SimMeter;
  const fleet = { seed: 1, timezone: 'Asia/Shanghai', start, end, districts: [], routes: [], meters: [meter] } as Fleet;
  const oracle = new TruthOracle(fleet);
  let reading = 100;
  for (let t = firstAt; t < end; t += 24 * H) {
    const readings = [];
    for (let h = 0; h < 24 && t + h * H < end; h++) readings.push({ ts: t + h * H, reading: reading++ });
    oracle.observe(0, { start: t, end: t + 24 * H, monthIndex: t < Date.parse('2025-11-01T00:00:00+08:00') ? 0 : 1 } as SimDay, { consumed: 24, readings } as never);
  }
  return [oracle.monthUsage(0, 0), oracle.monthUsage(0, 1)];
}

describe('truth oracle month usage', () => {
  it('counts a first month read from its first hours as read (the rate carried back to the edge)', () => {
    const [oct] = monthUsages(start + 2 * H);
    expect(oct).toBeCloseTo(31 * 24, 6);
  });

  it('leaves out a first month whose reads begin days after its start', () => {
    const [oct] = monthUsages(start + 3 * 24 * H);
    expect(Number.isNaN(oct)).toBe(true);
  });
});
