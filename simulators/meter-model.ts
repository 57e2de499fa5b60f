import { qmaxForSpec } from '../core/gsize.ts';
import { daysOfMonth, type SimDay } from './calendar.ts';
import { DAMAGE_NOTE, consumptionFactor, extraBulkLoss, extraHourly, flagsAt, isDamaged, isSilent, registerStep, registeredShare } from './faults.ts';
import type { SimMeter } from './fleet-types.ts';
import { PROFILES, normalisedShape, seasonFactor } from './profiles.ts';
import { Rng } from './prng.ts';
import type { SimReading } from './outgoing.ts';

const HOUR = 3_600_000;
const INACTIVE = new Set(['vacant', 'suspended', 'sealed']);

/** What one meter did on one day. */
export interface MeterDay {
  /** gas the customer consumed (for a bulk meter: gas into the building), m³ */
  consumed: number;
  /** readings the meter (or the reader) produced for this day, in time order */
  readings: SimReading[];
  /** IC top-up bought at the counter this day */
  purchase?: { ts: number; volume: number; amount: number } | undefined;
}

/**
 * The state of one meter through time: its customer's consumption (profile × season ×
 * weekday × noise), its register (what it measures, after faults) and what it reports.
 * Days must be stepped in order. Each month's daily noise is drawn from a stream keyed by
 * (seed, meter, month), so the series does not depend on where a run started.
 */
export class MeterModel {
  private register: number;
  private lastReport: { ts: number; reading: number } | undefined;
  private stepDone = false;
  private balance: number;
  private battery: number;
  private month: { start: number; daily: number[] } | undefined;
  private hourRng: Rng;
  private readonly shape: number[];
  private readonly qmax: number;
  private readonly yoyClass: boolean;

  constructor(
    readonly meter: SimMeter,
    private readonly seed: number,
    private readonly zone: string,
  ) {
    const rng = Rng.for(seed, meter.record.meterId, 'init');
    const scale = Math.max(10, meter.monthlyMean + meter.children.length * 10);
    this.register = Math.round(scale * rng.uniform(20, 120) * 1000) / 1000;
    this.balance = Math.max(20, (meter.monthlyMean || 10) * rng.uniform(0.8, 2));
    this.battery = rng.uniform(3.5, 3.65);
    this.hourRng = Rng.for(seed, meter.record.meterId, 'hours');
    this.shape = normalisedShape(PROFILES[meter.record.category].hourly);
    this.qmax = qmaxForSpec(meter.record.spec) ?? 6;
    this.yoyClass = meter.record.category !== 'residential';
  }

  get id(): string {
    return this.meter.record.meterId;
  }

  /** Daily usage of the customer's own profile for `day` before faults, m³. */
  private baseDaily(day: SimDay): number {
    if (!this.month || this.month.start !== day.monthStart) this.month = { start: day.monthStart, daily: this.drawMonth(day) };
    return this.month.daily[day.dayOfMonth - 1] ?? 0;
  }

  /** The month's days: expected × noise, with the month total pinned to expected × (1 ± jitter). */
  private drawMonth(day: SimDay): number[] {
    const p = PROFILES[this.meter.record.category];
    const rng = Rng.for(this.seed, this.id, day.year, day.month);
    const mean = this.meter.monthlyMean / 30.4;
    const expected: number[] = [];
    const noisy: number[] = [];
    for (const d of daysOfMonth(day.monthStart, this.zone)) {
      const e = mean * seasonFactor(p, d.dayOfYear, d.month) * (p.weekday[d.weekday] ?? 1);
      expected.push(e);
      noisy.push(e * rng.lognormalFactor(p.dailySigma));
    }
    const target = expected.reduce((s, v) => s + v, 0) * (1 + p.monthlyJitter * (2 * rng.next() - 1));
    const total = noisy.reduce((s, v) => s + v, 0) || 1;
    return noisy.map((v) => (v * target) / total);
  }

  /** Whether the customer has gas and is supposed to use it on `day`. */
  private usesGas(day: SimDay): boolean {
    const m = this.meter;
    return m.gasOnAt !== undefined && day.start >= m.gasOnAt && m.record.status === 'active';
  }

  /**
   * Steps one day. `inflow` is, for a bulk meter, what its households consumed; for a supply
   * meter, what its district consumed (both before loss).
   */
  step(day: SimDay, inflow = 0): MeterDay {
    const m = this.meter;
    const f = m.fault;
    if (!m.reports || m.gasOnAt === undefined || day.start < m.gasOnAt) return { consumed: 0, readings: [] };
    const category = m.record.category;
    // 1. what the customer consumes
    let consumedDay: number;
    if (category === 'supply') consumedDay = inflow * (1 + m.loss);
    else if (category === 'residential_bulk') consumedDay = (inflow + this.baseDaily(day)) * (1 + m.loss + extraBulkLoss(f, day.start));
    else consumedDay = this.usesGas(day) ? this.baseDaily(day) : 0;
    consumedDay *= consumptionFactor(f, day.start);
    const kind = m.record.kind;
    const extra = extraHourly(f, day.start, this.shape);
    const share = registeredShare(f, day.start);
    const hourMs = (day.end - day.start) / 24;
    const readings: SimReading[] = [];
    const battery = (this.battery -= 0.0002);
    let ic: { ts: number } | undefined;
    let consumed: number;
    if (kind !== 'smart') {
      // IC and mechanical meters report once a day or once a month: only daily totals matter,
      // and the register at a read time follows the profile's daily shape.
      consumed = consumedDay + (extra ? extra.reduce((a, b) => a + b, 0) : 0);
      const registered = consumed * share;
      const readAt = kind === 'mechanical' && day.dayOfMonth === m.route.readDay ? day.start + Math.round(m.readHour * 60) * 60_000 : undefined;
      if (readAt !== undefined) {
        const before = registered * this.shareBefore((readAt - day.start) / hourMs);
        this.register += before;
        const r = this.report(readAt, Math.floor(this.register * 10) / 10, kind);
        if (r) readings.push(isDamaged(f, readAt) ? this.damagedRead(r) : this.maybeEstimated(r));
        this.register += registered - before;
      } else this.register += registered;
      if (kind === 'ic') {
        this.balance -= registered;
        ic = { ts: day.end };
      }
    } else {
      const hourly = this.hourly(consumedDay, category !== 'supply');
      if (extra) for (let h = 0; h < 24; h++) hourly[h]! += extra[h]!;
      consumed = hourly.reduce((a, b) => a + b, 0);
      for (let h = 0; h < 24; h++) {
        const hourEnd = day.start + (h + 1) * hourMs;
        this.register += hourly[h]! * share;
        const before = this.lastReport;
        const r = this.report(hourEnd, round3(this.register), kind);
        if (!r) continue;
        // interval-average flow over the hour, as the meter computes it from its own register
        const flow = before && hourEnd - before.ts <= hourMs * 1.01 ? round3(Math.max(0, r.reading - before.reading) / (hourMs / HOUR)) : undefined;
        readings.push({ ...r, ...(flow === undefined ? {} : { flow }), battery: round2(battery) });
      }
    }
    let purchase: MeterDay['purchase'];
    if (ic) {
      const r = this.report(ic.ts, round3(this.register), kind);
      const avgDaily = Math.max(0.2, (m.monthlyMean + (f?.rule === 'residential_high' ? f.targetMonthly : 0)) / 30.4);
      if (this.balance < avgDaily * 7 && r) {
        const volume = Math.max(20, Math.ceil((avgDaily * 60) / 10) * 10);
        purchase = { ts: day.start + 10 * HOUR + this.hourRng.int(0, 7 * 60) * 60_000, volume, amount: round2(volume * 2.8) };
        this.balance += volume;
      }
      if (r) readings.push({ ...r, balance: round3(this.balance), valve: INACTIVE.has(m.record.status) && !(f && ic.ts >= f.start) ? 'closed' : 'open', battery: round2(battery) });
    }
    return { consumed, readings, purchase };
  }

  /** A reading at `ts` unless the meter is dead; applies a broken meter's register step first. */
  private report(ts: number, value: number, kind: string): SimReading | undefined {
    const f = this.meter.fault;
    if (isSilent(f, ts)) return undefined;
    if (!this.stepDone && f?.rule === 'broken_meter' && f.at <= ts) {
      const from = this.lastReport?.ts ?? ts - HOUR;
      const step = registerStep(f, Math.min(from, f.at - 1), ts, this.qmax);
      this.register += step;
      value = kind === 'mechanical' ? Math.floor(this.register * 10) / 10 : round3(this.register);
      this.stepDone = true;
    }
    this.lastReport = { ts, reading: value };
    const flags = flagsAt(f, ts);
    return { meterId: this.id, ts, reading: value, ...(flags ? { flags } : {}) };
  }

  /**
   * Now and then the reader cannot read a household's meter (door locked, meter too high: domain.md §3)
   * and records an estimate instead: the last real read plus half the last month's use, kept
   * low so that the next real read does not fall below it for a meter that keeps running.
   * The register itself is not affected; ground truth ignores estimated reads.
   */
  private maybeEstimated(r: SimReading): SimReading {
    const last = this.lastActual;
    // residential only: a business's month compared with last year's (yoy_deviation) would be
    // distorted by a two-month interpolation across a missing read
    if (!last || this.meter.record.category !== 'residential' || !this.hourRng.chance(0.015)) {
      this.lastActual = { reading: r.reading, usage: last ? r.reading - last.reading : 0 };
      return r;
    }
    const reason = this.hourRng.pick(['locked', 'no_access', 'too_high'] as const);
    return { ...r, reading: Math.floor((last.reading + 0.5 * Math.max(0, last.usage)) * 10) / 10, estimated: true, estimateReason: reason };
  }

  private lastActual: { reading: number; usage: number } | undefined;

  /** A damaged meter cannot be read: the reader notes it and estimates the last real read. */
  private damagedRead(r: SimReading): SimReading {
    return { ...r, reading: this.lastActual?.reading ?? r.reading, estimated: true, estimateReason: 'other', note: DAMAGE_NOTE };
  }

  /** Share of a day's consumption used before `hours` hours into the day (profile shape). */
  private shareBefore(hours: number): number {
    const whole = Math.floor(hours);
    let share = 0;
    for (let h = 0; h < whole && h < 24; h++) share += this.shape[h]!;
    return share + (whole < 24 ? this.shape[whole]! * (hours - whole) : 0);
  }

  /** The day's consumption spread over 24 hours; smart meters get per-hour noise. */
  private hourly(total: number, noisy: boolean): number[] {
    if (total <= 0) return new Array<number>(24).fill(0);
    if (!noisy) return this.shape.map((s) => s * total);
    const sigma = PROFILES[this.meter.record.category].hourlySigma;
    const w = this.shape.map((s) => s * this.hourRng.lognormalFactor(sigma));
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((v) => (v * total) / sum);
  }
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const round2 = (v: number) => Math.round(v * 100) / 100;
