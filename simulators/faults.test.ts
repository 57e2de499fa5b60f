import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { qmaxForSpec } from '../core/gsize.ts';
import type { RuleId } from '../core/types.ts';
import { dryRun, type MeterTrace } from './dry-run.ts';
import { DAMAGE_NOTE, INJECTED_RULES, type FaultSpec } from './faults.ts';
import type { SimMeter } from './fleet-types.ts';
import type { TruthLine } from './truth.ts';
import type { SimReading } from './outgoing.ts';

const ZONE = 'Asia/Shanghai';
const END = Date.parse('2026-11-27T00:00:00+08:00');
const DAY = 86_400_000;

let run!: ReturnType<typeof dryRun>;
let truth!: TruthLine[];
const faulted = (rule: FaultSpec['rule']) => run.fleet.meters.filter((m) => m.fault?.rule === rule);
const trace = (m: SimMeter): MeterTrace & { actual?: SimReading[] } => run.traces.get(m.record.meterId)!;
const before = (t: MeterTrace, ts: number) => t.readings.filter((r) => r.ts < ts && !r.estimated);
const after = (t: MeterTrace, ts: number) => t.readings.filter((r) => r.ts > ts && !r.estimated);
const consumedBetween = (t: MeterTrace, from: number, to: number) => t.consumed.filter(([d]) => d >= from && d < to).reduce((s, [, c]) => s + c, 0);
/** register at `ts`, interpolated between the readings around it (NaN outside them) */
const registerAt = (t: MeterTrace & { actual?: SimReading[] }, ts: number) => {
  const rs = t.actual ?? (t.actual = t.readings.filter((r) => !r.estimated)); // in time order
  let lo = 0;
  let hi = rs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rs[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  const i = lo;
  if (i >= rs.length) return Number.NaN;
  if (rs[i]!.ts === ts || i === 0) return rs[i]!.ts === ts ? rs[i]!.reading : Number.NaN;
  const [a, b] = [rs[i - 1]!, rs[i]!];
  return a.reading + ((b.reading - a.reading) * (ts - a.ts)) / (b.ts - a.ts);
};
const registered = (t: MeterTrace, from: number, to: number) => registerAt(t, to) - registerAt(t, from);

beforeAll(() => {
  run = dryRun({ meters: 1500, seed: 11, faultShare: 0.04, months: 16, end: END, timezone: ZONE }, () => true);
  truth = [...run.oracle.lines()];
}, 600_000);

describe('fault injection (each fault shows in the series from its start, and in the ground truth)', { timeout: 60_000 }, () => {
  it('injects every rule of interface.md §3 but the IC schedule, several times each', () => {
    for (const rule of INJECTED_RULES) expect(faulted(rule).length, rule).toBeGreaterThanOrEqual(2);
  });

  it('large_flow: interval flow ≥ 40 m³/h after the start, below before', () => {
    for (const m of faulted('large_flow')) {
      const f = m.fault as Extract<FaultSpec, { rule: 'large_flow' }>;
      const t = trace(m);
      expect(Math.max(...before(t, f.start).map((r) => r.flow ?? 0))).toBeLessThan(40);
      expect(Math.max(...after(t, f.start).map((r) => r.flow ?? 0))).toBeGreaterThanOrEqual(40);
      expect(Math.max(...t.readings.map((r) => r.flow ?? 0))).toBeLessThan(qmaxForSpec(m.record.spec)!);
    }
  });

  it('large_flow in the month in progress: expected as soon as the flow is seen, not only for complete months', () => {
    const monthStart = Date.parse('2026-11-01T00:00:00+08:00');
    const current = (id: string) => truth.filter((l) => l.kind === 'expected_alert' && l.rule === 'large_flow' && l.meterId === id && l.period === '2026-11');
    let seen = 0;
    for (const m of run.fleet.meters) {
      if (m.record.category === 'supply') continue; // regulator stations are no customers
      const t = run.traces.get(m.record.meterId);
      const peak = Math.max(0, ...(t?.readings ?? []).filter((r) => r.ts >= monthStart && r.ts < END && !r.estimated).map((r) => r.flow ?? 0));
      if (peak >= 40) seen++;
      expect(current(m.record.meterId).length, m.record.meterId).toBe(peak >= 40 ? 1 : 0);
      if (peak >= 40) expect(current(m.record.meterId)[0]!.detectableAt).toBe('2026-11-27T00:00:00+08:00');
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('ic_verification_due: every visit due in the window, one due at its very end included', () => {
    let atEnd = 0;
    for (const m of run.fleet.meters) {
      if (m.record.kind !== 'ic' || m.record.status !== 'active' || m.gasOnAt === undefined) continue;
      const due: number[] = [];
      for (let n = 0; ; n++) {
        const d = DateTime.fromMillis(m.gasOnAt, { zone: ZONE }).plus({ months: 1 + 3 * n }).toMillis();
        if (d > END) break;
        if (d >= run.fleet.start) due.push(d);
      }
      if (due.at(-1) === END) atEnd++;
      const listed = truth.filter((l) => l.kind === 'expected_alert' && l.rule === 'ic_verification_due' && l.meterId === m.record.meterId).map((l) => Date.parse(l.periodStart!));
      expect(listed, m.record.meterId).toEqual(due);
    }
    expect(atEnd).toBeGreaterThan(0);
  });

  it('yoy_deviation: a month after the start departs from the same month a year earlier beyond −5 %/+10 %', () => {
    for (const m of faulted('yoy_deviation')) {
      const f = m.fault as Extract<FaultSpec, { rule: 'yoy_deviation' }>;
      const t = trace(m);
      const now = consumedBetween(t, f.start, f.start + 28 * DAY);
      const yearAgo = consumedBetween(t, f.start - 365 * DAY, f.start - 337 * DAY);
      const change = now / yearAgo - 1;
      expect(change < -0.05 || change > 0.1, `${m.record.meterId} ${change}`).toBe(true);
      expect(Math.abs(change - (f.factor - 1))).toBeLessThan(0.06);
    }
  });

  it('bulk_drop: the bulk meter registers much less than the building consumes, only after the start', () => {
    for (const m of faulted('bulk_drop')) {
      const f = m.fault as Extract<FaultSpec, { rule: 'bulk_drop' }>;
      const t = trace(m);
      const share = (from: number, to: number) => registered(t, from, to) / consumedBetween(t, from, to);
      expect(share(f.start - 60 * DAY, f.start - DAY)).toBeGreaterThan(0.97);
      expect(share(f.start + DAY, f.start + 30 * DAY)).toBeCloseTo(f.factor, 1);
    }
  });

  it('bulk_balance: the loss share between bulk meter and households passes 8 % after the start', () => {
    for (const m of faulted('bulk_balance')) {
      const f = m.fault as Extract<FaultSpec, { rule: 'bulk_balance' }>;
      const loss = (from: number, to: number) => {
        const bulk = registered(trace(m), from, to);
        const households = m.children.reduce((s, c) => s + (registered(trace(c), from, to) || 0), 0);
        return (bulk - households) / bulk;
      };
      expect(loss(f.start - 60 * DAY, f.start - DAY)).toBeLessThan(0.07);
      expect(loss(f.start + DAY, f.start + 30 * DAY)).toBeGreaterThan(0.08);
    }
  });

  it('residential_high: a full month after the start reaches 30 m³', () => {
    for (const m of faulted('residential_high')) {
      const f = m.fault as Extract<FaultSpec, { rule: 'residential_high' }>;
      if (f.start + 100 * DAY > END) continue;
      const t = trace(m);
      expect(registered(t, f.start + 31 * DAY, f.start + 61 * DAY)).toBeGreaterThan(30);
      expect(registered(t, f.start - 61 * DAY, f.start - 31 * DAY)).toBeLessThan(26);
    }
  });

  it('stuck_meter: the register stops from the start while the customer keeps consuming (winter included)', () => {
    const stuck = faulted('stuck_meter');
    expect(stuck.some((m) => [12, 1, 2].includes(new Date(m.fault!.start + 8 * 3600_000).getUTCMonth() + 1))).toBe(true);
    for (const m of stuck) {
      const t = trace(m);
      const start = m.fault!.start;
      const later = after(t, start + DAY);
      expect(later.length).toBeGreaterThan(0);
      expect(new Set(later.map((r) => r.reading)).size).toBe(1);
      expect(consumedBetween(t, start, END)).toBeGreaterThan(0);
      expect(registered(t, start - 70 * DAY, start - DAY)).toBeGreaterThan(0);
    }
  });

  it('dead_meter: nothing is reported from the start', () => {
    for (const m of faulted('dead_meter')) {
      const t = trace(m);
      expect(after(t, m.fault!.start)).toEqual([]);
      expect(before(t, m.fault!.start).length).toBeGreaterThan(0);
    }
  });

  it('broken_meter: the register runs backwards or jumps beyond Qmax × hours at the fault, or the reader reports damage', () => {
    for (const m of faulted('broken_meter')) {
      const f = m.fault as Extract<FaultSpec, { rule: 'broken_meter' }>;
      if (f.variant === 'damage') {
        const damaged = trace(m).readings.filter((r) => r.note === DAMAGE_NOTE);
        expect(damaged.length).toBeGreaterThan(0);
        expect(damaged.every((r) => r.ts >= f.at && r.estimated && r.estimateReason === 'other')).toBe(true);
        expect(trace(m).readings.filter((r) => r.ts >= f.at).every((r) => r.note === DAMAGE_NOTE)).toBe(true);
        continue;
      }
      const rs = trace(m).readings.filter((r) => !r.estimated);
      const qmax = qmaxForSpec(m.record.spec)!;
      const bad = rs.findIndex((r, i) => i > 0 && (r.reading < rs[i - 1]!.reading || (r.reading - rs[i - 1]!.reading) / ((r.ts - rs[i - 1]!.ts) / 3_600_000) > qmax));
      expect(bad, m.record.meterId).toBeGreaterThan(0);
      expect(rs[bad]!.ts).toBeGreaterThanOrEqual(f.at);
      expect(rs[bad - 1]!.ts).toBeLessThan(f.at);
      if (f.variant === 'backwards') expect(rs[bad]!.reading).toBeLessThan(rs[bad - 1]!.reading);
    }
  });

  it('tamper: flags on the readings of the fault days, and/or a change point in registered usage', () => {
    for (const m of faulted('tamper')) {
      const f = m.fault as Extract<FaultSpec, { rule: 'tamper' }>;
      const t = trace(m);
      const flagged = t.readings.filter((r) => r.flags?.length);
      expect(flagged.every((r) => !r.estimated)).toBe(true);
      if (f.variant === 'change_point') expect(flagged).toEqual([]);
      else {
        expect(flagged.length).toBeGreaterThan(0);
        expect(flagged.every((r) => r.ts > f.start && r.ts <= f.start + f.flagDays * DAY && r.flags![0] === f.flag)).toBe(true);
      }
      if (f.variant !== 'flags') {
        const to = f.start + (m.record.kind === 'mechanical' ? 45 : 20) * DAY;
        const share = registered(t, f.start + DAY, to) / consumedBetween(t, f.start + DAY, to);
        if (m.record.kind !== 'mechanical') expect(share).toBeCloseTo(f.factor, 1);
        else expect(share).toBeLessThan(0.8);
      }
    }
  });

  it('usage_while_inactive: an inactive customer’s register starts moving at the start', () => {
    for (const m of faulted('usage_while_inactive')) {
      expect(['vacant', 'suspended', 'sealed']).toContain(m.record.status);
      const t = trace(m);
      const start = m.fault!.start;
      expect(new Set(before(t, start).map((r) => r.reading)).size).toBe(1);
      expect(after(t, start).at(-1)!.reading).toBeGreaterThan(before(t, start).at(-1)!.reading);
    }
  });

  it('ground truth: one fault line per fault and an expected alert of its rule for each detectable fault', () => {
    const faults = run.fleet.meters.filter((m) => m.fault);
    const faultLines = truth.filter((l) => l.kind === 'fault');
    expect(faultLines).toHaveLength(faults.length);
    for (const m of faults) {
      const line = faultLines.find((l) => l.meterId === m.record.meterId)!;
      expect(line.rule).toBe(m.fault!.rule);
      expect(Date.parse(line.faultStart!)).toBe(m.fault!.start);
      const expected = truth.filter((l) => l.kind === 'expected_alert' && l.meterId === m.record.meterId && l.rule === (m.fault!.rule as RuleId));
      expect(expected.length, `${m.record.meterId} ${m.fault!.rule}`).toBeGreaterThan(0);
      expect(expected.every((l) => l.cause === `fault:${m.fault!.rule}`)).toBe(true);
    }
    // no alert is expected without a cause in the simulation
    expect(truth.filter((l) => l.cause === 'natural')).toEqual([]);
    expect(truth.some((l) => l.rule === 'ic_verification_due' && l.cause === 'schedule')).toBe(true);
  });
});
