import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { qmaxForSpec } from '../core/gsize.ts';
import { isValidId } from '../core/ids.ts';
import { dryRun } from './dry-run.ts';
import { buildFleet } from './fleet.ts';
import { daysOf } from './calendar.ts';
import { FleetSimulation } from './simulation.ts';

const ZONE = 'Asia/Shanghai';
const END = Date.parse('2026-11-27T00:00:00+08:00');

describe('fleet model', { timeout: 60_000 }, () => {
  it('is deterministic for a seed, and a different seed gives a different fleet and series', () => {
    const digest = (seed: number) => {
      const fleet = buildFleet({ meters: 400, seed, faultShare: 0.05, months: 2, end: END, timezone: ZONE });
      const h = createHash('sha256').update(JSON.stringify(fleet.meters.map((m) => [m.record, m.fault ?? null])));
      const sim = new FleetSimulation(fleet);
      for (const day of daysOf(fleet.start, fleet.end, ZONE)) for (const o of sim.day(day)) h.update(JSON.stringify(o));
      return h.digest('hex');
    };
    expect(digest(7)).toBe(digest(7));
    expect(digest(8)).not.toBe(digest(7));
  });

  it('has a city mix: mostly residential, bulk meters with their households, one supply meter per district, valid ids', () => {
    const fleet = buildFleet({ meters: 20_000, seed: 1, faultShare: 0.02, months: 2, end: END, timezone: ZONE });
    expect(fleet.meters).toHaveLength(20_000);
    const count = (pred: (c: string) => boolean) => fleet.meters.filter((m) => pred(m.record.category)).length / fleet.meters.length;
    expect(count((c) => c === 'residential')).toBeGreaterThan(0.85);
    expect(count((c) => c === 'commercial')).toBeCloseTo(0.05, 2);
    expect(count((c) => c === 'collective')).toBeCloseTo(0.015, 2);
    expect(count((c) => c === 'industrial')).toBeCloseTo(0.005, 2);
    const byId = new Map(fleet.meters.map((m) => [m.record.meterId, m]));
    const bulks = fleet.meters.filter((m) => m.record.category === 'residential_bulk');
    expect(bulks.length).toBeGreaterThan(20);
    for (const b of bulks) {
      const households = fleet.meters.filter((m) => m.record.parentMeterId === b.record.meterId);
      expect(households.length).toBe(b.record.households);
      expect(households.every((h) => h.record.category === 'residential' && h.record.district === b.record.district)).toBe(true);
    }
    for (const m of fleet.meters) if (m.record.parentMeterId) expect(byId.get(m.record.parentMeterId)?.record.category).toBe('residential_bulk');
    const supply = fleet.meters.filter((m) => m.record.category === 'supply');
    expect(supply.map((m) => m.record.district).sort()).toEqual([...fleet.districts].sort());
    expect(fleet.meters.every((m) => isValidId(m.record.meterId) && isValidId(m.record.customerId))).toBe(true);
    expect(fleet.meters.every((m) => qmaxForSpec(m.record.spec) !== undefined)).toBe(true);
    const kinds = new Set(fleet.meters.map((m) => m.record.kind));
    expect([...kinds].sort()).toEqual(['ic', 'mechanical', 'smart']);
    const statuses = new Set(fleet.meters.map((m) => m.record.status));
    for (const s of ['active', 'vacant', 'suspended', 'sealed', 'removed']) expect(statuses.has(s as never)).toBe(true);
    const readDays = fleet.routes.map((r) => r.readDay);
    expect(Math.min(...readDays)).toBeGreaterThanOrEqual(6);
    expect(Math.max(...readDays)).toBeLessThanOrEqual(25);
  });
});

describe('usage profiles without faults (25 months)', { timeout: 60_000 }, () => {
  let run!: ReturnType<typeof dryRun>;
  let index!: Map<string, number>;
  beforeAll(() => {
    run = dryRun({ meters: 600, seed: 3, faultShare: 0, months: 25, end: END, timezone: ZONE }, () => true);
    index = new Map(run.fleet.meters.map((m, i) => [m.record.meterId, i]));
  }, 300_000);

  it('a normal residential month stays well below 30 m³ (max < 26)', () => {
    const { fleet, oracle } = run;
    let max = 0;
    let months = 0;
    for (const m of fleet.meters) {
      if (m.record.category !== 'residential') continue;
      for (let k = 0; k < 25; k++) {
        const u = oracle.monthUsage(index.get(m.record.meterId)!, k);
        if (Number.isFinite(u)) {
          max = Math.max(max, u);
          months++;
        }
      }
    }
    expect(months).toBeGreaterThan(6_000);
    expect(max).toBeLessThan(26);
    expect(max).toBeGreaterThan(15);
  });

  it('winter uses far more gas than summer (January / July between 1.6 and 3)', () => {
    const { fleet, traces } = run;
    const byMonth: Record<string, number> = {};
    for (const [id, t] of traces) {
      if (fleet.meters[index.get(id)!]!.record.category !== 'residential') continue;
      for (const [day, c] of t.consumed) {
        const label = new Date(day + 8 * 3600_000).toISOString().slice(0, 7); // Asia/Shanghai is UTC+8 all year
        byMonth[label] = (byMonth[label] ?? 0) + c;
      }
    }
    const ratio = byMonth['2026-01']! / byMonth['2025-07']!;
    expect(ratio).toBeGreaterThan(1.6);
    expect(ratio).toBeLessThan(3);
  });

  it('commercial customers use less on weekdays than at weekends; collective customers less at weekends', () => {
    const { fleet, traces } = run;
    const sums: Record<'commercial' | 'collective', [number, number]> = { commercial: [0, 0], collective: [0, 0] };
    for (const [id, t] of traces) {
      const cat = fleet.meters[index.get(id)!]!.record.category;
      if (cat !== 'commercial' && cat !== 'collective') continue;
      for (const [day, c] of t.consumed) {
        const weekday = new Date(day + 8 * 3600_000).getUTCDay();
        sums[cat][weekday === 0 || weekday === 6 ? 1 : 0] += c / (weekday === 0 || weekday === 6 ? 2 : 5);
      }
    }
    expect(sums.commercial[1]! / sums.commercial[0]!).toBeGreaterThan(1.05);
    expect(sums.collective[1]! / sums.collective[0]!).toBeLessThan(0.9);
  });

  it('the supply meter measures its district plus a few % loss', () => {
    const { fleet, traces } = run;
    for (const supply of fleet.meters.filter((m) => m.record.category === 'supply')) {
      const customers = fleet.meters.filter((m) => m.record.district === supply.record.district && !m.record.parentMeterId && m.record.category !== 'supply');
      const total = (id: string) => traces.get(id)?.consumed.reduce((s, [, c]) => s + c, 0) ?? 0;
      const ratio = total(supply.record.meterId) / customers.reduce((s, m) => s + total(m.record.meterId), 0);
      expect(ratio).toBeGreaterThan(1.019);
      expect(ratio).toBeLessThan(1.041);
    }
  });

  it('about 1.5 % of mechanical reads are estimated, with a reason, never above the next real read', () => {
    let reads = 0;
    let estimated = 0;
    for (const [, t] of run.traces) {
      t.readings.forEach((r, i) => {
        if (!r.estimated && r.estimateReason === undefined && t.readings[0]?.balance !== undefined) return;
        if (r.flow !== undefined || r.balance !== undefined) return; // smart / IC
        reads++;
        if (!r.estimated) return;
        estimated++;
        expect(['locked', 'no_access', 'too_high']).toContain(r.estimateReason);
        const next = t.readings.slice(i + 1).find((n) => !n.estimated);
        if (next) expect(r.reading).toBeLessThanOrEqual(next.reading);
      });
    }
    expect(reads).toBeGreaterThan(3000);
    expect(estimated / reads).toBeGreaterThan(0.005);
    expect(estimated / reads).toBeLessThan(0.03);
  });

  it('a fleet without faults expects no alert other than the IC verification schedule', () => {
    const lines = [...run.oracle.lines()];
    const other = lines.filter((l) => l.rule !== 'ic_verification_due');
    expect(other).toEqual([]);
    expect(lines.length).toBeGreaterThan(100);
  });
});
