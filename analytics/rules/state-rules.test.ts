import { describe, expect, it } from 'vitest';
import { deadMeter } from './dead-meter.ts';
import { icVerificationDue } from './ic-verification-due.ts';
import { stuckMeter } from './stuck-meter.ts';
import { at, byMonth, context, DAY, dailyPoints, seriesOf } from './test-fixtures.ts';
import { usageWhileInactive } from './usage-while-inactive.ts';

const FROM = at('2024-01-01');
// A furnace: heavy in winter, nothing at all from June to August (the AMPds2 trap).
const FURNACE = [60, 50, 35, 15, 5, 0, 0, 0, 5, 20, 40, 55];

describe('stuck_meter', () => {
  it('fires when the register freezes in winter while last winter used gas', () => {
    const asOf = at('2026-01-31');
    const pts = dailyPoints(FROM, asOf, (t) => (t >= at('2026-01-05') ? 0 : byMonth(FURNACE)(t)));
    const [a, ...rest] = stuckMeter(context(asOf, [seriesOf({ meterId: 'S' }, pts, asOf)]));
    expect(rest).toEqual([]);
    expect(a!.rule).toBe('stuck_meter');
    expect(a!.periodStart).toBe(at('2026-01-04'));
    expect(a!.evidence).toMatchObject({ basis: 'last_year' });
  });

  it('does not fire on a seasonal silence that last year shared (furnace in summer)', () => {
    const asOf = at('2025-08-25');
    const pts = dailyPoints(FROM, asOf, byMonth(FURNACE));
    expect(stuckMeter(context(asOf, [seriesOf({ meterId: 'S' }, pts, asOf)]))).toEqual([]);
  });

  it('waits for 20 flat days: 19 are not enough', () => {
    const asOf = at('2026-01-25');
    const pts = dailyPoints(FROM, asOf, (t) => (t >= at('2026-01-06') ? 0 : byMonth(FURNACE)(t)));
    expect(stuckMeter(context(asOf, [seriesOf({ meterId: 'S' }, pts, asOf)]))).toEqual([]);
  });

  it('stays quiet for a vacant customer (status suppresses it)', () => {
    const asOf = at('2026-01-31');
    const pts = dailyPoints(FROM, asOf, (t) => (t >= at('2026-01-05') ? 0 : byMonth(FURNACE)(t)));
    expect(stuckMeter(context(asOf, [seriesOf({ meterId: 'S', status: 'vacant' }, pts, asOf)]))).toEqual([]);
  });
});

describe('dead_meter', () => {
  const pts = dailyPoints(FROM, at('2026-01-10'), byMonth(FURNACE));
  it('fires after 3 silent days for a smart meter, 7 for IC, 40 for mechanical', () => {
    const kinds = ['smart', 'ic', 'mechanical'] as const;
    const fired = (asOf: number) =>
      deadMeter(context(asOf, kinds.map((kind) => seriesOf({ meterId: kind, kind }, pts, asOf)))).map((a) => a.meterId);
    const last = pts[pts.length - 1]!.t;
    expect(fired(last + 3 * DAY - 1)).toEqual([]);
    expect(fired(last + 3 * DAY + 1)).toEqual(['smart']);
    expect(fired(last + 7 * DAY + 1)).toEqual(['smart', 'ic']);
    expect(fired(last + 40 * DAY + 1)).toEqual(['smart', 'ic', 'mechanical']);
  });

  it('runs from the last read to the run, and ignores non-active customers', () => {
    const last = pts[pts.length - 1]!.t;
    const asOf = last + 10 * DAY;
    const [a] = deadMeter(context(asOf, [seriesOf({ meterId: 'D' }, pts, asOf)]));
    expect([a!.periodStart, a!.periodEnd]).toEqual([last, asOf]);
    expect(deadMeter(context(asOf, [seriesOf({ meterId: 'D', status: 'suspended' }, pts, asOf)]))).toEqual([]);
  });
});

describe('usage_while_inactive', () => {
  it('fires on use during a vacant interval, from the first read that shows it', () => {
    const asOf = at('2025-06-01');
    const pts = dailyPoints(FROM, asOf, (t) => (t >= at('2025-03-10') ? 0.2 : t >= at('2025-03-01') ? 0 : 0.3));
    const s = seriesOf({ meterId: 'V', status: 'vacant' }, pts, asOf, [
      { from: FROM, to: at('2025-03-01'), status: 'active' },
      { from: at('2025-03-01'), to: Number.MAX_SAFE_INTEGER, status: 'vacant' },
    ]);
    const [a, ...rest] = usageWhileInactive(context(asOf, [s]));
    expect(rest).toEqual([]);
    expect(a!.periodStart).toBe(at('2025-03-11'));
    expect(a!.value).toBeCloseTo(0.2 * 82, 1);
  });

  it('stays quiet when a sealed meter does not move', () => {
    const asOf = at('2025-06-01');
    const pts = dailyPoints(FROM, asOf, (t) => (t >= at('2025-03-01') ? 0 : 0.3));
    const s = seriesOf({ meterId: 'Q', status: 'sealed' }, pts, asOf, [{ from: at('2025-03-01'), to: Number.MAX_SAFE_INTEGER, status: 'sealed' }]);
    expect(usageWhileInactive(context(asOf, [s]))).toEqual([]);
  });
});

describe('ic_verification_due', () => {
  it('is due one month after gas-on, then every three months', () => {
    const s = (asOf: number) => seriesOf({ meterId: 'IC', kind: 'ic', activatedAt: at('2025-01-15') }, [], asOf);
    const due = (asOf: number) => icVerificationDue(context(asOf, [s(asOf)])).map((a) => a.periodStart);
    expect(due(at('2025-02-14'))).toEqual([]);
    expect(due(at('2025-02-15'))).toEqual([at('2025-02-15')]);
    expect(due(at('2025-05-14'))).toEqual([at('2025-02-15')]);
    expect(due(at('2025-05-15'))).toEqual([at('2025-02-15'), at('2025-05-15')]);

  });
});

describe('dead_meter (no usage for months)', () => {
  it('fires when a reporting meter shows no usage for 60 days where history expects use', () => {
    const asOf = at('2026-03-10');
    const flat = (from: string) => dailyPoints(FROM, asOf, (t) => (t >= at(from) ? 0 : byMonth(FURNACE)(t)));
    const rules = (from: string) => deadMeter(context(asOf, [seriesOf({ meterId: 'N' }, flat(from), asOf)])).map((a) => (a.evidence as { kind?: string }).kind);
    expect(rules('2026-01-05')).toEqual(['no_usage']);
    expect(rules('2026-01-12')).toEqual([]);
  });
});
