import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import type { SqlClient } from '../../storage/sql.ts';
import type { MeterInfo } from '../rules/context.ts';
import { MeterIndex } from './meter-index.ts';
import { MeterStates, NO_READ } from './meter-states.ts';
import { PackedStrings } from './packed-strings.ts';
import { RegistryCache } from './registry-cache.ts';
import { RegistryCopy } from './registry-copy.ts';

describe('MeterIndex: meter id → slot without a string per meter on the heap', () => {
  it('gives each id one slot for good, through many rehashes, and tells unknown ids apart', () => {
    const index = new MeterIndex();
    const n = 50_000;
    for (let i = 0; i < n; i++) expect(index.add(`M${String(i).padStart(7, '0')}`)).toBe(i);
    expect(index.size).toBe(n);
    for (const i of [0, 1, 1023, 1024, 4095, 49_999]) {
      const id = `M${String(i).padStart(7, '0')}`;
      expect(index.slotOf(id)).toBe(i);
      expect(index.add(id)).toBe(i);
      expect(index.idOf(i)).toBe(id);
    }
    expect(index.slotOf('M0050000')).toBe(-1);
    expect(index.slotOf('M000000')).toBe(-1); // a prefix of a known id
    expect(index.slotOf('')).toBe(-1);
    expect(index.size).toBe(n);
  });

  it('keeps ids of any length and alphabet', () => {
    const index = new MeterIndex();
    const ids = ['燃气表-001', 'a'.repeat(5000), 'x', 'X', 'x '];
    ids.forEach((id) => index.add(id));
    ids.forEach((id, slot) => {
      expect(index.slotOf(id)).toBe(slot);
      expect(index.idOf(slot)).toBe(id);
    });
  });
});

describe('PackedStrings', () => {
  it('gives back what it was given, empty strings included', () => {
    const p = new PackedStrings();
    const values = ['C-1', '', '客户二', 'z'.repeat(70_000)];
    const refs = values.map((v) => p.add(v));
    refs.forEach((n, i) => {
      expect(p.get(n)).toBe(values[i]);
      expect(p.equals(n, values[i]!)).toBe(true);
    });
    expect(p.equals(refs[0]!, 'C-2')).toBe(false);
  });
});

describe('RegistryCopy: the stream rules registry copy as columns', () => {
  const meter = (i: number, over: Partial<MeterInfo> = {}): MeterInfo => ({ meterId: `M${i}`, customerId: `C${i}`, district: `D${i % 3}`, route: `R${i % 7}`, category: 'residential', kind: 'smart', status: 'active', qmax: 6, blacklisted: false, ...over });

  it('reads every field back as it was given, and nothing for meters outside the copy', () => {
    const index = new MeterIndex();
    const outsider = index.add('OUT');
    const given = [meter(1), meter(2, { customerId: undefined, qmax: undefined, category: 'commercial', blacklisted: true, parentMeterId: 'B1', activatedAt: 1_700_000_000_123, status: 'vacant' })];
    const copy = new RegistryCopy(index, given, new Map([['M2', [5, 9]]]));
    expect(copy.size).toBe(2);
    for (const m of given) {
      const slot = index.slotOf(m.meterId);
      const view = copy.view(slot, m.meterId)!;
      expect(view.toInfo()).toEqual({ ...m });
      expect([view.customerId, view.district, view.route, view.category, view.qmax, view.blacklisted]).toEqual([m.customerId, m.district, m.route, m.category, m.qmax, m.blacklisted]);
    }
    expect(copy.replacementsAt(index.slotOf('M2'))).toEqual([5, 9]);
    expect(copy.replacementsAt(index.slotOf('M1'))).toBeUndefined();
    expect(copy.has(outsider)).toBe(false);
    expect(copy.view(outsider, 'OUT')).toBeUndefined();
    expect(copy.has(-1)).toBe(false);
    expect(copy.has(10_000)).toBe(false);
  });

  it('a reload keeps the slots: the stream state stays with its meter', () => {
    const registry = new RegistryCache({} as SqlClient, silentLogger());
    registry.replaceCopy([meter(1), meter(2)]);
    const slot = registry.index.slotOf('M2');
    registry.replaceCopy([meter(3), meter(2, { qmax: 10, blacklisted: true })], new Map([['M2', [7]]]));
    expect(registry.index.slotOf('M2')).toBe(slot);
    expect(registry.knows('M1')).toBe(false);
    expect(registry.lookup('M2')).toMatchObject({ qmax: 10, blacklisted: true, customerId: 'C2' });
    expect(registry.replacedBetween('M2', 6, 7)).toBe(true);
    expect(registry.replacedBetween('M2', 7, 8)).toBe(false);
    expect(registry.size).toBe(2);
  });
});

describe('MeterStates', () => {
  it('keeps the newest read per slot, growing as slots come, and none for slots never read', () => {
    const states = new MeterStates();
    for (let slot = 0; slot < 5_000; slot += 7) states.setRead(slot, 1_000 + slot, slot / 10);
    expect([states.ts(4_998), states.reading(4_998)]).toEqual([5_998, 499.8]);
    expect([states.ts(0), states.reading(0)]).toEqual([1_000, 0]);
    expect(states.ts(1)).toBe(NO_READ);
    expect(states.reading(1)).toBeNaN();
    expect(states.ts(1_000_000)).toBe(NO_READ);
  });
});
