import type { Logger } from '../../core/logger.ts';
import { sqlString, sqlTimestamp, type SqlClient } from '../../storage/sql.ts';
import { loadBlacklist } from '../batch/blacklist.ts';
import { meterInfoFromRow } from '../batch/load-context.ts';
import { registryAsOf, replacementIndex, replacementsUpTo } from '../batch/queries.ts';
import type { MeterInfo } from '../rules/context.ts';
import { MeterIndex } from './meter-index.ts';
import { RegistryCopy } from './registry-copy.ts';

const DAY = 86_400_000;
/** The tables a copy is made of; a reload is needed only when one of them changed. */
const SOURCES = ['meter_registry', 'blacklist_events', 'meter_replacements'] as const;

/**
 * The registry as the stream rules need it (meters as of now, blacklist, replacements).
 * Reloading it is a full read of the registry — 1M rows for a city fleet, several seconds of
 * CPU — so the timer and the "unknown meter" path reload only when one of its tables
 * applied a new WAL transaction, or when a change dated in the future has become effective,
 * or when the copy is older than `maxAgeMs` (a safety net); otherwise they cost one small
 * query on wal_tables() (issue: analytics, item 6: stream rules under 10 % of ingest).
 * `generation` counts reloads. The copy is columns by meter slot (registry-copy.ts); the
 * slots come from `index`, which outlives reloads, so the stream state shares them.
 */
export class RegistryCache {
  /** Meter id → slot, for the copy and the stream state alike; slots never change. */
  readonly index = new MeterIndex();
  private current = new RegistryCopy(this.index, []);
  private timer: NodeJS.Timeout | undefined;
  private loadedAt = 0;
  private checkedAt = 0;
  private signature = '';
  private nextEffective = Infinity;
  private inFlight: Promise<void> | undefined;
  generation = 0;
  readonly stats = { reloads: 0, checks: 0 };

  constructor(private readonly sql: SqlClient, private readonly log: Logger, private readonly refreshMs = 30_000, private readonly maxAgeMs = 600_000) {}

  /** The registry copy in force (replaced whole by a reload). */
  get copy(): RegistryCopy {
    return this.current;
  }

  /** The meter's info, or undefined when the copy does not know it. */
  lookup(meterId: string): MeterInfo | undefined {
    return this.current.view(this.index.slotOf(meterId), meterId)?.toInfo();
  }

  /** Recorded replacement instants of the meter, ascending, or undefined when none. */
  replacementsOf(meterId: string): readonly number[] | undefined {
    return this.current.replacementsAt(this.index.slotOf(meterId));
  }

  /** True when a replacement was recorded in (from, to] for this meter. */
  replacedBetween(meterId: string, from: number, to: number): boolean {
    return replacedIn(this.replacementsOf(meterId), from, to);
  }

  knows(meterId: string): boolean {
    return this.current.has(this.index.slotOf(meterId));
  }

  /**
   * Reloads if the tables changed since the last load (checked at most every `minIntervalMs`);
   * concurrent callers share one check.
   */
  refreshIfStale(minIntervalMs: number): Promise<void> {
    if (Date.now() - this.checkedAt < minIntervalMs) return Promise.resolve();
    this.inFlight ??= this.refreshIfChanged().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  get size(): number {
    return this.current.size;
  }

  /** A full reload, whatever changed (start, and the bus's `registry.changed`). */
  async refresh(): Promise<void> {
    try {
      const now = Date.now();
      // Signature first: a change landing during the reload is then seen by the next check.
      const signature = await this.tablesSignature();
      const [rows, blacklist, replaced, nextEffective] = await Promise.all([registryAsOf(this.sql, now), loadBlacklist(this.sql, now), replacementsUpTo(this.sql, now + DAY), this.nextEffectiveAfter(now)]);
      this.replaceCopy(
        rows.map((r) => meterInfoFromRow(r, blacklist.has(r.meter_id) || (r.customer_id !== null && blacklist.has(r.customer_id)))),
        replacementIndex(replaced),
      );
      this.signature = signature;
      this.nextEffective = nextEffective;
      this.loadedAt = now;
      this.checkedAt = now;
      this.stats.reloads++;
    } catch (err) {
      this.log.warn({ err }, 'registry refresh failed; keeping the previous copy');
    }
  }

  /** Installs a new copy (a reload; benchmarks/stream-rules-cpu.ts gives its own fleet). */
  replaceCopy(meters: Iterable<MeterInfo>, replacements: ReadonlyMap<string, readonly number[]> = new Map()): void {
    this.current = new RegistryCopy(this.index, meters, replacements);
    this.generation++;
  }

  private async refreshIfChanged(): Promise<void> {
    const now = Date.now();
    this.stats.checks++;
    let signature: string;
    try {
      signature = await this.tablesSignature();
    } catch (err) {
      this.log.warn({ err }, 'registry change check failed; keeping the previous copy');
      return;
    }
    this.checkedAt = now;
    if (signature !== this.signature || now >= this.nextEffective || now - this.loadedAt >= this.maxAgeMs) await this.refresh();
  }

  /** Applied WAL transaction of each source table; a table that is not a WAL table always counts as changed. */
  private async tablesSignature(): Promise<string> {
    const rows = await this.sql.query<{ name: string; writerTxn: number | string }>(`SELECT name, writerTxn FROM wal_tables() WHERE name IN (${SOURCES.map(sqlString).join(', ')})`);
    if (rows.length < SOURCES.length) return `incomplete ${Date.now()}`;
    return rows
      .map((r) => `${r.name}=${String(r.writerTxn)}`)
      .sort()
      .join(' ');
  }

  /** When the next change already written but dated after `now` takes effect (the copy is "as of now"). */
  private async nextEffectiveAfter(now: number): Promise<number> {
    const [registry, blacklist, replacements] = await Promise.all(
      [`meter_registry WHERE ts > ${sqlTimestamp(now)}`, `blacklist_events WHERE ts > ${sqlTimestamp(now)}`, `meter_replacements WHERE ts > ${sqlTimestamp(now + DAY)}`].map((from) =>
        this.sql.query<{ t: number | null }>(`SELECT min(ts) t FROM ${from}`).then((r) => r[0]?.t ?? null),
      ),
    );
    const replacementDue = replacements === null || replacements === undefined ? Infinity : replacements - DAY;
    return Math.min(registry ?? Infinity, blacklist ?? Infinity, replacementDue);
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refreshIfStale(0), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

export function replacedIn(instants: readonly number[] | undefined, from: number, to: number): boolean {
  if (!instants) return false;
  for (const t of instants) if (t > from && t <= to) return true;
  return false;
}
