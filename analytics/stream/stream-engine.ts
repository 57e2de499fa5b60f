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
import type { RegistryCache } from './registry-cache.ts';

/**
 * Reading rules as readings arrive (issue: analytics, item 1): per meter the last read by
 * event time, recovered from QuestDB on start so a restart never misses a delta. A read
 * older than the newest one seen (back-fill out of order) is left to the batch pass, which
 * judges the whole series on event time.
 */
export class StreamEngine {
  private readonly last = new Map<string, { ts: number; reading: number }>();
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
    for (const r of await latestReads(this.deps.sql, Date.now() + 86_400_000)) this.last.set(r.meter_id, { ts: r.ts, reading: r.reading });
    this.off = this.deps.bus.on('readings.accepted', ({ readings }) => {
      // Batches are judged in arrival order; one whose meters the registry copy does not know
      // yet (a fleet registered a moment ago) waits for a refresh, so a regulator station is
      // not mistaken for a customer.
      this.pending = this.pending
        .then(async () => {
          if (readings.some((r) => !this.deps.registry.knows(r.meterId))) await this.deps.registry.refreshIfStale(1_000);
          const candidates = this.evaluate(readings);
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
    const out: AlertCandidate[] = [];
    const sorted = [...readings].sort((a, b) => (a.meterId === b.meterId ? a.ts - b.ts : a.meterId < b.meterId ? -1 : 1));
    for (const r of sorted) {
      this.stats.readings++;
      // A reader's note reporting damage is evidence even on an estimated read (that is how a
      // damaged register is read); duplicates of a redelivered read are one alert (same day).
      if (r.note) {
        const damaged = reportedDamage({ meter: this.deps.registry.info(r.meterId), ts: r.ts, reading: r.reading, note: r.note, estimated: r.estimated === true }, this.damage, this.deps.zone);
        if (damaged) out.push(damaged);
      }
      if (r.estimated) continue; // an estimate (估表) is not a measurement
      const prev = this.last.get(r.meterId);
      if (prev && r.ts <= prev.ts) {
        if (r.ts < prev.ts) this.stats.outOfOrder++;
        continue;
      }
      this.last.set(r.meterId, { ts: r.ts, reading: r.reading });
      const meter: MeterInfo = this.deps.registry.info(r.meterId);
      if (prev && this.deps.registry.replacedBetween(r.meterId, prev.ts, r.ts)) continue;
      const interval = { meter, prev, cur: { ts: r.ts, reading: r.reading, flow: r.flow, flags: r.flags } };
      for (const c of [brokenMeter(interval, this.deps.zone), tamperFlags(interval, this.deps.zone), largeFlow(interval, this.deps.cfg, this.deps.zone)]) {
        if (c) out.push(c);
      }
    }
    return out;
  }
}
