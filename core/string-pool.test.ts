import { describe, expect, it } from 'vitest';
import { meterInfoFromRow } from '../analytics/batch/load-context.ts';
import type { RegistryRow } from '../analytics/batch/queries.ts';
import { StringPool } from './string-pool.ts';

/** Strings decoded from separate rows are separate copies; the pool hands back the first. */
const copy = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('StringPool', () => {
  it('returns one copy per distinct value and passes null and undefined through', () => {
    const pool = new StringPool();
    const a = pool.of(copy('residential'));
    expect(pool.of(copy('residential'))).toBe(a);
    expect(pool.of(copy('commercial'))).toBe('commercial');
    expect(pool.of(null)).toBeNull();
    expect(pool.of(undefined)).toBeUndefined();
    expect(pool.size).toBe(2);
  });

  it('lets meters of a registry copy share their district, route, category, kind and status, not their ids', () => {
    const row = (id: string): RegistryRow => ({ ts: 0, meter_id: copy(id), customer_id: copy(`C${id}`), district: copy('D1'), route: copy('R1'), category: copy('residential') as RegistryRow['category'], kind: copy('smart') as RegistryRow['kind'], spec: null, qmax: 6, status: copy('active') as RegistryRow['status'], parent_meter_id: null, activated_at: null, installed_at: null });
    const pool = new StringPool();
    const [a, b] = [meterInfoFromRow(row('M1'), false, pool), meterInfoFromRow(row('M2'), false, pool)];
    expect(a).toMatchObject({ meterId: 'M1', customerId: 'CM1', district: 'D1', route: 'R1', category: 'residential', kind: 'smart', status: 'active', qmax: 6 });
    expect(pool.size).toBe(5);
    expect(b.meterId).toBe('M2');
  });
});
