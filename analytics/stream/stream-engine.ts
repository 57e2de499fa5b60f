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
import { largeFlow } from '../rules/large-flow.ts';
import { damageMatcher, reportedDamage } from '../rules/reported-damage.ts';
import { tamperFlags } from '../rules/tamper.ts';
import { replacedIn, type RegistryCache } from './registry-cache.ts';

/** Per meter: the newest read seen, and its registry info as of a registry generation. */
interface MeterState {
  ts: number;
  reading: number;
  generation: number;
  info: MeterInfo | undefined;
  replaced: readonly number[] | undefined;
}

const byMeterThenTs = (a: Reading, b: Reading) => (a.meterId === b.meterId ? a.ts - b.ts : a.meterId < b.meterId ? -1 : 1);

/**
 * Reading rules as readings arrive (issue: analytics, item 1): per meter the last read by
 * event time, recovered from QuestDB on start so a restart never misses a delta. A read
 * older than the newest one seen (back-fill out of order) is left to the batch pass, which
 * judges the whole series on event time.
 *
 * Cost (issue: analytics, item 6: under 10 % of ingest): one map lookup per reading, shared
 * by the unknown-meter check and the rules — the meter's state keeps its registry info until
 * the registry copy is reloaded — and the state
 * is updated in place, so a million meters' states are not re-allocated (and collected) on
 * every reading. A batch is judged in arrival order unless one message lists a meter's
 * readings out of time order; then it is sorted by meter and time first.
 */
export class StreamEngine {
  private readonly last = new Map<string, MeterState>();
  private off: (() => void) | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  readonly stats = { readings: 0, outOfOrder: 0, candidates: 0 };

  private readonly damage: (note: string) => string | undefined;

  constructor(
    private readonly deps: { sql: SqlClient; bus: TypedBus<MeterwatchEvents>; sink: AlertSink; registry: RegistryCache; cfg: RuleConfig; zone: string; log: Logger },
  ) {
    this.damage = damageMatcher(deps.cfg.damageWords);
  }

  async start(): Promise<void> {
    // Each meter's registry info is taken now, with its last read, rather than on its first
    // reading: at a million meters that is two lookups in million-entry maps per reading
    // while every meter sends its first one after a start.
    const registry = this.deps.registry;
    for (const r of await latestReads(this.deps.sql, Date.now() + 86_400_000)) {
      const state: MeterState = { ts: r.ts, reading: r.reading, generation: -1, info: undefined, replaced: undefined };
      if (registry.size > 0) refreshInfo(state, r.meter_id, registry);
      this.last.set(r.meter_id, state);
    }
    this.off = this.deps.bus.on('readings.accepted', ({ readings }) => {
      // Batches are judged in arrival order; one whose meters the registry copy does not know
      // yet (a fleet registered a moment ago) waits for a refresh, so a regulator station is
      // not mistaken for a customer.
      this.pending = this.pending
        .then(async () => {
          const ordered = ordering(readings);
          const { states, unknown } = this.statesOf(ordered);
          if (unknown) await this.deps.registry.refreshIfStale(1_000);
          const candidates = this.judge(ordered, states);
          if (candidates.length === 0) return;
          this.stats.candidates += candidates.length;
          await this.deps.sink.submit(candidates);
        })
        .catch((err: unknown) => this.deps.log.error({ err }, 'stream alerts not stored'));
    });
    this.deps.log.info({ meters: this.last.size }, 'stream rules ready');
  }

  async stop(): Promise<void> {
    this.off?.();
    await this.pending;
  }

  /** Updates per-meter state and returns the candidates of these readings. */
  evaluate(readings: readonly Reading[]): AlertCandidate[] {
    const ordered = ordering(readings);
    return this.judge(ordered, this.statesOf(ordered).states);
  }

  /**
   * The state of each reading's meter (one map lookup per reading; a meter seen for the first
   * time gets a state with no read yet) with its registry info brought up to date, and whether
   * any meter is unknown to the registry copy.
   */
  private statesOf(readings: readonly Reading[]): { states: MeterState[]; unknown: boolean } {
    const registry = this.deps.registry;
    const states: MeterState[] = new Array<MeterState>(readings.length);
    let unknown = false;
    for (let i = 0; i < readings.length; i++) {
      const id = readings[i]!.meterId;
      let state = this.last.get(id);
      if (!state) {
        state = { ts: NO_READ, reading: NaN, generation: -1, info: undefined, replaced: undefined };
        this.last.set(id, state);
      }
      if (state.generation !== registry.generation) refreshInfo(state, id, registry);
      if (!state.info) unknown = true;
      states[i] = state;
    }
    return { states, unknown };
  }

  private judge(readings: readonly Reading[], states: readonly MeterState[]): AlertCandidate[] {
    const out: AlertCandidate[] = [];
    const { registry, cfg, zone } = this.deps;
    const now = Date.now();
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      const state = states[i]!;
      this.stats.readings++;
      // A reader's note reporting damage is evidence even on an estimated read (that is how a
      // damaged register is read); duplicates of a redelivered read are one alert (same day).
      if (r.note) {
        const damaged = reportedDamage({ meter: state.info ?? { meterId: r.meterId, blacklisted: false }, ts: r.ts, reading: r.reading, note: r.note, estimated: r.estimated === true }, this.damage, this.deps.zone);
        if (damaged) out.push(damaged);
      }
      if (r.estimated) continue; // an estimate (估表) is not a measurement
      const hadRead = state.ts !== NO_READ;
      if (hadRead && r.ts <= state.ts) {
        if (r.ts < state.ts) this.stats.outOfOrder++;
        continue;
      }
      const prev = hadRead ? { ts: state.ts, reading: state.reading } : undefined;
      state.ts = r.ts;
      state.reading = r.reading;
      // A registry reload between statesOf and now (the unknown-meter refresh) renews the info.
      if (state.generation !== registry.generation) refreshInfo(state, r.meterId, registry);
      if (prev && replacedIn(state.replaced, prev.ts, r.ts)) continue;
      const meter: MeterInfo = state.info ?? { meterId: r.meterId, blacklisted: false };
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

/** `ts` of a meter state that has no read yet. */
const NO_READ = -Infinity;

function refreshInfo(state: MeterState, meterId: string, registry: RegistryCache): void {
  state.info = registry.lookup(meterId);
  state.replaced = registry.replacementsOf(meterId);
  state.generation = registry.generation;
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
