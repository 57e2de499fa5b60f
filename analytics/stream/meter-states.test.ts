import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { MeterStates, NO_READ } from './meter-states.ts';
import { RegistryCache } from './registry-cache.ts';

describe('MeterStates: per-meter stream state as columns', () => {
  it('gives each meter one slot, keeps its newest read, and keeps every read when the columns grow', () => {
    const states = new MeterStates();
    const n = 5_000; // past the initial capacity, several times
    for (let i = 0; i < n; i++) states.setRead(states.slotOf(`M${i}`), 1_000 + i, i / 10);
    expect(states.size).toBe(n);
    expect(states.slotOf('M0')).toBe(0);
    for (const i of [0, 1023, 1024, 2047, 4999]) {
      const slot = states.slotOf(`M${i}`);
      expect([states.ts(slot), states.reading(slot)]).toEqual([1_000 + i, i / 10]);
    }
    const fresh = states.slotOf('NEW');
    expect(states.ts(fresh)).toBe(NO_READ);
    expect(states.reading(fresh)).toBeNaN();
  });

  it('takes registry info once per registry generation, and again after a reload', () => {
    const registry = new RegistryCache({} as SqlClient, silentLogger());
    const states = new MeterStates();
    const slot = states.slotOf('A');
    expect(states.info(slot, 'A', registry)).toBeUndefined();
    registry.replaceCopy([{ meterId: 'A', blacklisted: false, qmax: 6 }], new Map([['A', [5]]]));
    expect(states.info(slot, 'A', registry)?.qmax).toBe(6);
    expect(states.replaced(slot)).toEqual([5]);
    registry.replaceCopy([{ meterId: 'A', blacklisted: true, qmax: 10 }]);
    expect(states.info(slot, 'A', registry)).toMatchObject({ qmax: 10, blacklisted: true });
    expect(states.replaced(slot)).toBeUndefined();
  });
});
