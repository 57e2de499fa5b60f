import { DateTime } from 'luxon';
import { qmaxForSpec } from '../core/gsize.ts';
import { formatInZone, monthLabel } from '../core/time.ts';
import type { RuleId } from '../core/types.ts';
import { monthEdges, type SimDay } from './calendar.ts';
import type { Fleet, SimMeter } from './fleet-types.ts';
import { DAMAGE_NOTE } from './faults.ts';
import type { MeterDay } from './meter-model.ts';
import type { DayObserver } from './simulation.ts';

/**
 * Ground truth. Two kinds of JSON lines:
 * - `fault`: every injected fault with its parameters;
 * - `expected_alert`: what a CORRECT detector following interface.md §3 raises on the data the
 *   fleet actually sent, with its cause (`fault:<rule>`, `fault:<rule>@<household meter>`,
 *   `schedule`, or `natural`). Monthly rules are evaluated here on the reported registers
 *   exactly as the rules define them (register interpolated at month edges, estimated reads
 *   ignored), so a fault's consequences (a stuck commercial meter's year-over-year drop, a
 *   household meter's tampering that shows as bulk loss) are labelled too. An alert is only
 *   expected once the data can show it before the window ends (`detectableAt`).
 */
export interface TruthLine {
  kind: 'fault' | 'expected_alert';
  meterId: string;
  rule: RuleId;
  faultStart?: string;
  faultEnd?: string | null;
  periodStart?: string;
  periodEnd?: string | null;
  period?: string | null;
  detectableAt?: string;
  cause?: string;
  value?: number;
  threshold?: number;
  parameters?: Record<string, unknown>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** A first read this close after a month edge still counts the month as read (meterwatch reads month edges with the same tolerance, analytics/batch/monthly-usage.ts). */
const FIRST_EDGE_TOLERANCE = 36 * HOUR;
/** interface.md §3 defaults */
export const THRESHOLDS = {
  largeFlow: 40,
  residentialHigh: 30,
  yoyLow: -0.05,
  yoyHigh: 0.1,
  bulkLossShare: 0.08,
  /** metered below this share of what the building consumed: a sharp drop (bulk_drop) */
  bulkDropShare: 0.7,
  deadDays: { smart: 3, ic: 7, mechanical: 40 },
  stuckDays: 20,
} as const;

/** Follows every reading the fleet sends and derives the expected alerts at the end. */
export class TruthOracle implements DayObserver {
  private readonly edges: number[];
  private readonly months: number;
  private readonly edgeReg: Float64Array[];
  private readonly maxFlow: Float64Array[];
  private readonly consumed: Float64Array[];
  private readonly last: ({ ts: number; reading: number } | undefined)[];
  private readonly firstTs: (number | undefined)[];
  private readonly nextEdge: Int32Array;
  private readonly brokenAt: number[][];
  private readonly flagDays: Set<number>[];
  private simulatedEnd: number;

  constructor(readonly fleet: Fleet) {
    this.edges = monthEdges(fleet.start, fleet.end, fleet.timezone);
    this.months = this.edges.length - 1;
    const n = fleet.meters.length;
    this.edgeReg = Array.from({ length: n }, () => new Float64Array(this.edges.length).fill(Number.NaN));
    this.maxFlow = Array.from({ length: n }, () => new Float64Array(this.months));
    this.consumed = Array.from({ length: n }, () => new Float64Array(this.months));
    this.last = new Array(n).fill(undefined);
    this.firstTs = new Array(n).fill(undefined);
    this.nextEdge = new Int32Array(n);
    this.brokenAt = Array.from({ length: n }, () => []);
    this.flagDays = Array.from({ length: n }, () => new Set<number>());
    this.simulatedEnd = fleet.start;
  }

  observe(i: number, day: SimDay, result: MeterDay): void {
    this.simulatedEnd = Math.max(this.simulatedEnd, day.end);
    if (day.monthIndex < this.months) this.consumed[i]![day.monthIndex]! += result.consumed;
    const meter = this.fleet.meters[i]!;
    const qmax = qmaxForSpec(meter.record.spec) ?? Number.POSITIVE_INFINITY;
    for (const r of result.readings) {
      // A flag is dated by the reading that carries it (the hour ending at 00:00 belongs to the next day's date).
      if (r.flags?.length) this.flagDays[i]!.add(r.ts >= day.end ? DateTime.fromMillis(r.ts, { zone: this.fleet.timezone }).startOf('day').toMillis() : day.start);
      if (r.note === DAMAGE_NOTE) this.brokenAt[i]!.push(r.ts); // "reports damage" (interface.md §3)
      if (r.estimated) continue;
      this.firstTs[i] ??= r.ts;
      const prev = this.last[i];
      this.last[i] = { ts: r.ts, reading: r.reading };
      if (!prev) continue;
      const hours = (r.ts - prev.ts) / HOUR;
      const delta = r.reading - prev.reading;
      if (prev.ts === this.firstTs[i]) this.extrapolateFirstEdge(i, prev, r);
      // readings arrive in time order: walk the month edges forward from the last one passed
      let k = this.nextEdge[i]!;
      while (k < this.edges.length && this.edges[k]! <= prev.ts) k++;
      for (; k < this.edges.length && this.edges[k]! <= r.ts; k++) {
        this.edgeReg[i]![k] = prev.reading + (delta * (this.edges[k]! - prev.ts)) / (r.ts - prev.ts);
      }
      this.nextEdge[i] = k;
      if (delta < 0 || delta / hours > qmax) this.brokenAt[i]!.push(r.ts);
      const flow = Math.max(delta / hours, r.flow ?? 0);
      const m = k - 1; // the month that contains (prev.ts, r.ts]'s end
      if (m >= 0 && m < this.months && flow > this.maxFlow[i]![m]!) this.maxFlow[i]![m] = flow;
    }
  }

  /**
   * A history whose first read comes a few hours after a month starts (an hourly meter's
   * first value at 02:00 on the 1st) has that month read all but those hours: carry the
   * first interval's rate back to the edge, as a reader would, instead of losing the month.
   */
  private extrapolateFirstEdge(i: number, first: { ts: number; reading: number }, next: { ts: number; reading: number }): void {
    let e = -1;
    for (let k = 0; k < this.edges.length && this.edges[k]! <= first.ts; k++) e = k;
    if (e < 0 || first.ts - this.edges[e]! > FIRST_EDGE_TOLERANCE || !Number.isNaN(this.edgeReg[i]![e]!) || next.ts <= first.ts) return;
    const rate = Math.max(0, next.reading - first.reading) / (next.ts - first.ts);
    this.edgeReg[i]![e] = first.reading - rate * (first.ts - this.edges[e]!);
  }

  /** Register-based usage of month k (NaN when an edge has no reading on both sides). */
  monthUsage(i: number, k: number): number {
    return this.edgeReg[i]![k + 1]! - this.edgeReg[i]![k]!;
  }

  /** Every truth line, faults first. */
  *lines(): Generator<TruthLine> {
    const { meters } = this.fleet;
    const index = new Map(meters.map((m, i) => [m.record.meterId, i]));
    for (const m of meters) if (m.fault) yield this.faultLine(m);
    for (let i = 0; i < meters.length; i++) {
      const m = meters[i]!;
      if (m.record.category === 'supply') continue;
      yield* this.monthlyAlerts(i, m, index);
      yield* this.stateAlerts(i, m);
      yield* this.icSchedule(m);
    }
  }

  private iso(ms: number): string {
    return formatInZone(ms, this.fleet.timezone);
  }

  private faultLine(m: SimMeter): TruthLine {
    const { rule, start, ...parameters } = m.fault!;
    const end = rule === 'tamper' && m.fault!.rule === 'tamper' && m.fault!.variant === 'flags' ? start + m.fault!.flagDays * DAY : undefined;
    return { kind: 'fault', meterId: m.record.meterId, rule, faultStart: this.iso(start), faultEnd: end === undefined ? null : this.iso(end), parameters: { ...parameters, category: m.record.category, kind: m.record.kind } };
  }

  /**
   * Whether a fault explains evidence about a period ending at `before`. A month's usage is
   * interpolated up to the first read after it, so a fault can reach back one read interval.
   */
  private causeOf(m: SimMeter, before: number): string {
    if (m.fault && m.fault.start < before + this.readInterval(m)) return `fault:${m.fault.rule}`;
    // a bulk meter measures its households: their faults (more use, less registered) show in its figures
    const child = m.children.find((c) => c.fault && c.fault.start < before + this.readInterval(c));
    return child ? `fault:${child.fault!.rule}@${child.record.meterId}` : 'natural';
  }

  private readInterval(m: SimMeter): number {
    return m.record.kind === 'mechanical' ? 45 * DAY : 2 * DAY;
  }

  private monthAlert(m: SimMeter, rule: RuleId, k: number, value: number, threshold: number, cause: string): TruthLine {
    const [s, e] = [this.edges[k]!, this.edges[k + 1]!];
    return { kind: 'expected_alert', meterId: m.record.meterId, rule, periodStart: this.iso(s), periodEnd: this.iso(e), period: monthLabel(s, this.fleet.timezone), detectableAt: this.iso(e), cause, value: round(value), threshold };
  }

  private *monthlyAlerts(i: number, m: SimMeter, index: Map<string, number>): Generator<TruthLine> {
    const cat = m.record.category;
    const complete = (k: number) => this.edges[k + 1]! <= this.simulatedEnd;
    for (let k = 0; k < this.months; k++) {
      if (!complete(k)) {
        // large_flow is an event, not a month total: a flow ≥ 40 m³/h seen in the month in
        // progress is already evidence (domain.md §4: the customer enters the class at once).
        if (this.edges[k]! < this.simulatedEnd && this.maxFlow[i]![k]! >= THRESHOLDS.largeFlow) {
          yield { ...this.monthAlert(m, 'large_flow', k, this.maxFlow[i]![k]!, THRESHOLDS.largeFlow, this.causeOf(m, this.simulatedEnd)), detectableAt: this.iso(this.simulatedEnd) };
        }
        break;
      }
      const monthEnd = this.edges[k + 1]!;
      const usage = this.monthUsage(i, k);
      if (this.maxFlow[i]![k]! >= THRESHOLDS.largeFlow) yield this.monthAlert(m, 'large_flow', k, this.maxFlow[i]![k]!, THRESHOLDS.largeFlow, this.causeOf(m, monthEnd));
      if (cat === 'residential' && usage >= THRESHOLDS.residentialHigh) yield this.monthAlert(m, 'residential_high', k, usage, THRESHOLDS.residentialHigh, this.causeOf(m, monthEnd));
      if ((cat === 'commercial' || cat === 'collective' || cat === 'residential_bulk') && k >= 12 && m.record.status === 'active') {
        const before = this.monthUsage(i, k - 12);
        const gasOn = m.gasOnAt ?? Number.POSITIVE_INFINITY;
        if (before > 0 && Number.isFinite(usage) && gasOn <= this.edges[k - 12]!) {
          const change = usage / before - 1;
          if (change < THRESHOLDS.yoyLow || change > THRESHOLDS.yoyHigh) yield this.monthAlert(m, 'yoy_deviation', k, change, change < 0 ? THRESHOLDS.yoyLow : THRESHOLDS.yoyHigh, this.causeOf(m, monthEnd));
        }
      }
      if (cat === 'residential_bulk' && Number.isFinite(usage)) {
        const consumed = this.consumed[i]![k]!;
        if (consumed > 0 && k > 0 && usage < THRESHOLDS.bulkDropShare * consumed) yield this.monthAlert(m, 'bulk_drop', k, usage, round(THRESHOLDS.bulkDropShare * consumed), this.causeOf(m, monthEnd));
        const households = this.householdUsage(m, k, index);
        if (households && usage > 0) {
          const loss = (usage - households.sum) / usage;
          if (households.sum > usage || loss > THRESHOLDS.bulkLossShare) {
            yield this.monthAlert(m, 'bulk_balance', k, loss, THRESHOLDS.bulkLossShare, this.causeOf(m, monthEnd));
          }
        }
      }
    }
  }

  /** Sum of the households' month usage (a silent household counts 0: it reports nothing, as for a detector). */
  private householdUsage(bulk: SimMeter, k: number, index: Map<string, number>): { sum: number } | undefined {
    let sum = 0;
    for (const c of bulk.children) {
      const j = index.get(c.record.meterId)!;
      const u = this.monthUsage(j, k);
      if (Number.isFinite(u)) sum += u;
    }
    return { sum };
  }

  private *stateAlerts(i: number, m: SimMeter): Generator<TruthLine> {
    const f = m.fault;
    const end = this.simulatedEnd;
    const id = m.record.meterId;
    const kind = m.record.kind;
    const expected = (rule: RuleId, start: number, detectableAt: number, cause: string, extra: Partial<TruthLine> = {}): TruthLine | undefined =>
      detectableAt <= end ? { kind: 'expected_alert', meterId: id, rule, periodStart: this.iso(start), periodEnd: null, period: null, detectableAt: this.iso(detectableAt), cause, ...extra } : undefined;
    const out: (TruthLine | undefined)[] = [];
    if (f?.rule === 'stuck_meter') {
      const detect = kind === 'mechanical' ? this.secondReadAfter(m, f.start) : f.start + THRESHOLDS.stuckDays * DAY;
      out.push(expected('stuck_meter', f.start, detect, 'fault:stuck_meter'));
      // "no usage for months where usage is expected" is the dead-meter rule's second clause
      out.push(expected('dead_meter', f.start, f.start + 60 * DAY, 'fault:stuck_meter'));
    }
    if (f?.rule === 'dead_meter') {
      const lastBefore = kind === 'mechanical' ? this.readBefore(m, f.start) : f.start;
      out.push(expected('dead_meter', f.start, lastBefore + THRESHOLDS.deadDays[kind] * DAY, 'fault:dead_meter'));
    }
    if (f?.rule === 'usage_while_inactive') out.push(expected('usage_while_inactive', f.start, kind === 'mechanical' ? this.secondReadAfter(m, f.start - 31 * DAY) : f.start + DAY, 'fault:usage_while_inactive'));
    if (f?.rule === 'tamper' && f.variant !== 'flags') out.push(expected('tamper', f.start, f.start + 30 * DAY, 'fault:tamper', { parameters: { evidence: 'change_point', factor: round(f.factor) } }));
    for (const day of [...this.flagDays[i]!].sort((a, b) => a - b)) {
      out.push(expected('tamper', day, day + DAY, m.fault && m.fault.start <= day + DAY ? `fault:${m.fault.rule}` : 'natural', { periodEnd: this.iso(day + DAY), parameters: { evidence: 'flags' } }));
    }
    for (const ts of this.brokenAt[i]!) out.push(expected('broken_meter', ts, ts, m.fault && m.fault.start <= ts ? `fault:${m.fault.rule}` : 'natural', { parameters: { evidence: 'register' } }));
    for (const line of out) if (line) yield line;
  }

  /** Due visits of an IC-card customer: a month after gas-on, then every 3 months (domain.md §4). */
  private *icSchedule(m: SimMeter): Generator<TruthLine> {
    if (m.record.kind !== 'ic' || m.record.status !== 'active' || m.gasOnAt === undefined) return;
    const zone = this.fleet.timezone;
    const on = DateTime.fromMillis(m.gasOnAt, { zone });
    for (let n = 0; ; n++) {
      const due = on.plus({ months: 1 + 3 * n }).toMillis();
      // Due at the window's end is due as of it (as every other expected alert: detectableAt ≤ end).
      if (due > this.simulatedEnd) break;
      if (due < this.fleet.start) continue;
      yield { kind: 'expected_alert', meterId: m.record.meterId, rule: 'ic_verification_due', periodStart: this.iso(due), periodEnd: null, period: monthLabel(due, zone), detectableAt: this.iso(due), cause: 'schedule', parameters: { visit: n === 0 ? 'first_month' : 'quarterly' } };
    }
  }

  private readDay(m: SimMeter, monthStart: DateTime): number {
    return monthStart.set({ day: m.route.readDay }).toMillis() + Math.round(m.readHour * 60) * 60_000;
  }

  /** The second monthly read at or after `t` (two equal reads make a mechanical meter stuck). */
  private secondReadAfter(m: SimMeter, t: number): number {
    let month = DateTime.fromMillis(t, { zone: this.fleet.timezone }).startOf('month');
    let seen = 0;
    for (;;) {
      const read = this.readDay(m, month);
      if (read >= t && ++seen === 2) return read;
      month = month.plus({ months: 1 });
    }
  }

  /** The last monthly read before `t`. */
  private readBefore(m: SimMeter, t: number): number {
    let month = DateTime.fromMillis(t, { zone: this.fleet.timezone }).startOf('month');
    for (;;) {
      const read = this.readDay(m, month);
      if (read < t) return read;
      month = month.minus({ months: 1 });
    }
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;
