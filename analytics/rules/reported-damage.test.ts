import { describe, expect, it } from 'vitest';
import { damageMatcher, reportedDamage } from './reported-damage.ts';

const TZ = 'Asia/Shanghai';
const words = damageMatcher(['damage', 'broken', '损坏', '表坏']);
const meter = { meterId: 'M1', customerId: 'C1', blacklisted: false };
const at = Date.parse('2026-03-17T10:00:00+08:00');

describe('broken_meter: reported damage', () => {
  it('raises a broken_meter alert for the day of a read whose note reports damage, in any case or language', () => {
    for (const note of ['Meter DAMAGED: dial glass broken', '表坏了，无法读数', '表盘损坏']) {
      const a = reportedDamage({ meter, ts: at, reading: 812.3, note, estimated: true }, words, TZ);
      expect(a).toMatchObject({ rule: 'broken_meter', meterId: 'M1', periodStart: Date.parse('2026-03-17T00:00:00+08:00'), periodEnd: Date.parse('2026-03-18T00:00:00+08:00'), severity: 'critical' });
      expect(a!.evidence).toMatchObject({ kind: 'reported_damage', note });
    }
  });

  it('ignores ordinary notes', () => {
    for (const note of ['dog in the yard', 'customer not home', '门锁着', '']) {
      expect(reportedDamage({ meter, ts: at, reading: 1, note, estimated: true }, words, TZ)).toBeUndefined();
    }
  });
});
