import type { TypedBus } from '../../core/bus.ts';
import type { MeterwatchEvents } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/types.ts';
import type { SqlClient } from '../../storage/sql.ts';
import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import type { AlertSink } from '../alerts/alert-sink.ts';
import { latestReads } from '../batch/queries.ts';
import { brokenMeter } from '../rules/broken-meter.ts';
import type { MeterInfo, RuleConfig } from '../rules/context.ts';
import { HOUR } from '../rules/interval.ts';
import { largeFlow } from '../rules/large-flow.ts';
import { damageMatcher, reportedDamage } from '../rules/reported-damage.ts';
import { tamperFlags } from '../rules/tamper.ts';
import { MeterStates, NO_READ } from './meter-states.ts';
import { replacedIn, type RegistryCache } from './registry-cache.ts';

const byMeterThenTs = (a: Reading, b: Reading) => (a.meterId === b.meterId ? a.ts - b.ts : a.meterId < b.meterId ? -1 : 1);

/**
 * Reading rules as readings arrive (issue: analytics, item 1): per meter the last read by
 * event time, recovered from QuestDB on start so a restart never misses a delta. A read
 * older than the newest one seen (back-fill out of order) is left to the batch pass, which
 * judges the whole series on event time.
 *
 * Cost (issue: analytics, item 6: under 10 % of ingest): one map lookup per reading (meter id
 * → slot, meter-states.ts), shared by the unknown-meter check and the rules; the state is
 * columns updated in place, and each slot keeps its registry info until the registry copy is
 * reloaded. A batch is judged in arrival order unless one message lists a meter's
 * readings out of time order; then it is sorted by meter and time first.
 */
export class StreamEngine {
  private readonly states = new MeterStates();
  private off: (() => void) | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  readonly stats = { readings: 0, outOfOrder: 0, candidates: 0 };

  private readonly damage: (note: string) => string | undefined;
  /** Below this flow no customer, blacklisted or not, is in the large-flow class. */
  private readonly quietFlow: number;

  constructor(
    private readonly deps: { sql: SqlClient; bus: TypedBus<MeterwatchEvents>; sink: AlertSink; registry: RegistryCache; cfg: RuleConfig; zone: string; log: Logger },
  ) {
    this.damage = damageMatcher(deps.cfg.damageWords);
    this.quietFlow = deps.cfg.largeFlow * Math.min(1, deps.cfg.blacklistFactor);
  }

  async start(): Promise<void> {
    const index = this.deps.registry.index;
    for (const r of await latestReads(this.deps.sql, Date.now() + 86_400_000)) this.states.setRead(index.add(r.meter_id), r.ts, r.reading);
    this.off = this.deps.bus.on('readings.accepted', ({ readings }) => {
      // Batches are judged in arrival order; one whose meters the registry copy does not know
      // yet (a fleet registered a moment ago) waits for a refresh, so a regulator station is
      // not mistaken for a customer.
      this.pending = this.pending
        .then(async () => {
          const ordered = ordering(readings);
          const { slots, unknown } = this.slotsOf(ordered);
          if (unknown) await this.deps.registry.refreshIfStale(1_000);
          const candidates = this.judge(ordered, slots);
          if (candidates.length === 0) return;
          this.stats.candidates += candidates.length;
          await this.deps.sink.submit(candidates);
        })
        .catch((err: unknown) => this.deps.log.error({ err }, 'stream alerts not stored'));
    });
    this.deps.log.info({ meters: this.deps.registry.index.size }, 'stream rules ready');
  }

  async stop(): Promise<void> {
    this.off?.();
    await this.pending;
  }

  /** Updates per-meter state and returns the candidates of these readings. */
  evaluate(readings: readonly Reading[]): AlertCandidate[] {
    const ordered = ordering(readings);
    return this.judge(ordered, this.slotsOf(ordered).slots);
  }

  /**
   * The slot of each reading's meter (one hash lookup per reading; a meter seen for the first
   * time gets a slot with no read yet), and whether any meter is unknown to the registry copy.
   */
  private slotsOf(readings: readonly Reading[]): { slots: Int32Array; unknown: boolean } {
    const { index, copy } = this.deps.registry;
    const slots = new Int32Array(readings.length);
    let unknown = false;
    for (let i = 0; i < readings.length; i++) {
      const slot = index.add(readings[i]!.meterId);
      if (!copy.has(slot)) unknown = true;
      slots[i] = slot;
    }
    return { slots, unknown };
  }

  private judge(readings: readonly Reading[], slots: Int32Array): AlertCandidate[] {
    const out: AlertCandidate[] = [];
    const { cfg, zone } = this.deps;
    // The copy in force now: a reload during the unknown-meter refresh is seen.
    const copy = this.deps.registry.copy;
    const states = this.states;
    const now = Date.now();
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      const slot = slots[i]!;
      this.stats.readings++;
      // A reader's note reporting damage is evidence even on an estimated read (that is how a
      // damaged register is read); duplicates of a redelivered read are one alert (same day).
      if (r.note) {
        const damaged = reportedDamage({ meter: copy.view(slot, r.meterId) ?? { meterId: r.meterId, blacklisted: false }, ts: r.ts, reading: r.reading, note: r.note, estimated: r.estimated === true }, this.damage, this.deps.zone);
        if (damaged) out.push(damaged);
      }
      if (r.estimated) continue; // an estimate (估表) is not a measurement
      const lastTs = states.ts(slot);
      const hadRead = lastTs !== NO_READ;
      if (hadRead && r.ts <= lastTs) {
        if (r.ts < lastTs) this.stats.outOfOrder++;
        continue;
      }
      const lastReading = states.reading(slot);
      states.setRead(slot, r.ts, r.reading);
      if (hadRead && replacedIn(copy.replacementsAt(slot), lastTs, r.ts)) continue;
      const qmax = copy.has(slot) ? copy.qmaxAt(slot) : undefined;
      if (!(r.flags && r.flags.length > 0) && quiet(hadRead ? lastTs : undefined, lastReading, r, qmax, this.quietFlow)) continue;
      const prev = hadRead ? { ts: lastTs, reading: lastReading } : undefined;
      const info = copy.view(slot, r.meterId);
      const meter: MeterInfo = info ?? { meterId: r.meterId, blacklisted: false };
      const interval = { meter, prev, cur: { ts: r.ts, reading: r.reading, flow: r.flow, flags: r.flags } };
      const broken = brokenMeter(interval, zone);
      if (broken) out.push(broken);
      if (r.flags && r.flags.length > 0) {
        const tamper = tamperFlags(interval, zone);
        if (tamper) out.push(tamper);
      }
      // The month in progress is the stream's: it raises the alert live as the flow is seen.
      // Ended months (a back-fill, a late buffer) are the batch's, which scores a month
      // against the customer's own peaks of the year before (rules/large-flow.ts).
      const flow = largeFlow(interval, cfg, zone);
      if (flow && flow.periodEnd > now) out.push(flow);
    }
    return out;
  }
}

/**
 * True when none of broken_meter, large_flow and tamper can fire on this interval (no flags
 * is checked by the caller): the register neither ran back nor jumped past Qmax × hours, and
 * neither the reported nor the computed flow reaches the large-flow limit or (reported) Qmax.
 * A cheaper superset test on numbers, with margins on the safe side, so the normal reading
 * (nearly all of them) makes no objects; every reading it lets through is judged by the rules
 * themselves (the stream engine test checks both agree on random intervals).
 */
function quiet(prevTs: number | undefined, prevReading: number, r: Reading, qmax: number | undefined, quietFlow: number): boolean {
  const flow = r.flow;
  if (flow !== undefined && (flow >= quietFlow || (qmax !== undefined && flow > qmax))) return false;
  if (prevTs === undefined) return true;
  const d = r.reading - prevReading;
  if (!(d >= 0)) return false;
  const h = (r.ts - prevTs) / HOUR;
  if (d >= quietFlow * h) return false;
  return qmax === undefined || d <= qmax * h;
}

/** Arrival order, unless a message lists a meter's readings back in time: then by meter and time. */
function ordering(readings: readonly Reading[]): readonly Reading[] {
  return inTimeOrderPerMessage(readings) ? readings : [...readings].sort(byMeterThenTs);
}

/** True when no message's readings of one meter go back in time (consecutive readings of a meter ascend). */
function inTimeOrderPerMessage(readings: readonly Reading[]): boolean {
  for (let i = 1; i < readings.length; i++) {
    const a = readings[i - 1]!;
    const b = readings[i]!;
    if (a.meterId === b.meterId && b.ts <= a.ts) return false;
  }
  return true;
}
