import type { Logger } from '../../core/logger.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { loadBlacklist } from '../batch/blacklist.ts';
import { meterInfoFromRow } from '../batch/load-context.ts';
import { registryAsOf, replacedBetween, replacementIndex, replacementsUpTo } from '../batch/queries.ts';
import type { MeterInfo } from '../rules/context.ts';

/** The registry as the stream rules need it, refreshed on a timer and on registry changes. */
export class RegistryCache {
  private meters = new Map<string, MeterInfo>();
  private replacements = new Map<string, number[]>();
  private timer: NodeJS.Timeout | undefined;
  private loadedAt = 0;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly sql: SqlClient, private readonly log: Logger, private readonly refreshMs = 30_000) {}

  info(meterId: string): MeterInfo {
    return this.meters.get(meterId) ?? { meterId, blacklisted: false };
  }

  /** True when a replacement was recorded in (from, to] for this meter. */
  replacedBetween(meterId: string, from: number, to: number): boolean {
    return replacedBetween(this.replacements, meterId, from, to);
  }

  knows(meterId: string): boolean {
    return this.meters.has(meterId);
  }

  /** Refreshes unless the copy is younger than `maxAgeMs`; concurrent callers share one reload. */
  refreshIfStale(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.loadedAt < maxAgeMs) return Promise.resolve();
    this.inFlight ??= this.refresh().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  get size(): number {
    return this.meters.size;
  }

  async refresh(): Promise<void> {
    try {
      const now = Date.now();
      const [rows, blacklist, replaced] = await Promise.all([registryAsOf(this.sql, now), loadBlacklist(this.sql, now), replacementsUpTo(this.sql, now + 86_400_000)]);
      this.replacements = replacementIndex(replaced);
      const next = new Map<string, MeterInfo>();
      for (const r of rows) next.set(r.meter_id, meterInfoFromRow(r, blacklist.has(r.meter_id) || (r.customer_id !== null && blacklist.has(r.customer_id))));
      this.meters = next;
      this.loadedAt = now;
    } catch (err) {
      this.log.warn({ err }, 'registry refresh failed; keeping the previous copy');
    }
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
