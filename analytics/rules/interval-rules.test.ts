import { describe, expect, it } from 'vitest';
import { brokenMeter } from './broken-meter.ts';
import type { MeterInfo } from './context.ts';
import { largeFlow } from './large-flow.ts';
import { tamperFlags } from './tamper.ts';
import { at, cfg, TZ } from './test-fixtures.ts';

const H = 3_600_000;
const meter = (over: Partial<MeterInfo> = {}): MeterInfo => ({ meterId: 'M', blacklisted: false, qmax: 65, ...over });
const t0 = at('2026-09-12T10:00');

describe('large_flow', () => {
  it('fires at 40 m³/h computed from the register, not at 39.9', () => {
    expect(largeFlow({ meter: meter(), prev: { ts: t0, reading: 100 }, cur: { ts: t0 + H, reading: 140 } }, cfg, TZ)?.value).toBe(40);
    expect(largeFlow({ meter: meter(), prev: { ts: t0, reading: 100 }, cur: { ts: t0 + H, reading: 139.9 } }, cfg, TZ)).toBeUndefined();
  });

  it('fires on a reported flow, with the calendar month as period', () => {
    const a = largeFlow({ meter: meter(), cur: { ts: t0, reading: 1, flow: 55 } }, cfg, TZ)!;
    expect([a.periodStart, a.periodEnd]).toEqual([at('2026-09-01'), at('2026-10-01')]);
    expect(a.value).toBe(55);
  });

  it('leaves a jump beyond Qmax to broken_meter', () => {
    const i = { meter: meter({ qmax: 6 }), prev: { ts: t0, reading: 100 }, cur: { ts: t0 + H, reading: 160 } };
    expect(largeFlow(i, cfg, TZ)).toBeUndefined();
    expect(brokenMeter(i, TZ)?.evidence).toMatchObject({ kind: 'jump' });
  });
});

describe('broken_meter', () => {
  it('fires when the register runs backwards, with the day as period', () => {
    const a = brokenMeter({ meter: meter(), prev: { ts: t0, reading: 100 }, cur: { ts: t0 + H, reading: 99.5 } }, TZ)!;
    expect(a.value).toBe(0.5);
    expect([a.periodStart, a.periodEnd]).toEqual([at('2026-09-12'), at('2026-09-13')]);
  });

  it('ignores float noise below the register resolution and a healthy advance', () => {
    expect(brokenMeter({ meter: meter(), prev: { ts: t0, reading: 100 }, cur: { ts: t0 + H, reading: 99.9995 } }, TZ)).toBeUndefined();
    expect(brokenMeter({ meter: meter({ qmax: 6 }), prev: { ts: t0, reading: 100 }, cur: { ts: t0 + H, reading: 106 } }, TZ)).toBeUndefined();
  });
});

describe('tamper', () => {
  it('fires on tamper, magnet and reverse_flow flags only', () => {
    expect(tamperFlags({ meter: meter(), cur: { ts: t0, reading: 1, flags: ['magnet'] } }, TZ)?.rule).toBe('tamper');
    expect(tamperFlags({ meter: meter(), cur: { ts: t0, reading: 1, flags: ['reverse_flow', 'battery_low'] } }, TZ)?.evidence).toMatchObject({ flags: ['reverse_flow'] });
    expect(tamperFlags({ meter: meter(), cur: { ts: t0, reading: 1, flags: ['battery_low', 'leak'] } }, TZ)).toBeUndefined();
  });
});
