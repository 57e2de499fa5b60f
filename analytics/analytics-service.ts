import type { Config } from '../core/config/index.ts';
import type { TypedBus } from '../core/bus.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { SqlClient } from '../storage/sql.ts';
import { AlertSink } from './alerts/alert-sink.ts';
import { runBatch, type RunSummary } from './batch/batch-engine.ts';
import { RegistryCache } from './stream/registry-cache.ts';
import { StreamEngine } from './stream/stream-engine.ts';

/** The analytics role: stream rules on the bus, batch rules on a schedule and on request. */
export class AnalyticsService {
  readonly sink: AlertSink;
  readonly registry: RegistryCache;
  readonly stream: StreamEngine;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RunSummary> | undefined;
  lastRun: RunSummary | undefined;
  /**
   * The batch pass's own connections: its scans of every read may run minutes on a large
   * hourly fleet, longer than QuestDB lets the API's queries run (MW_ANALYTICS_QUERY_TIMEOUT).
   */
  readonly batchSql: SqlClient;

  constructor(private readonly deps: { sql: SqlClient; httpUrl: string; bus: TypedBus<MeterwatchEvents>; config: Config; log: Logger }) {
    const log = deps.log.child({ module: 'analytics' });
    this.batchSql = deps.sql.withStatementTimeout(deps.config.analytics.queryTimeout);
    this.sink = new AlertSink(deps.sql, deps.httpUrl, deps.bus, log);
    this.registry = new RegistryCache(deps.sql, log);
    this.stream = new StreamEngine({ sql: deps.sql, bus: deps.bus, sink: this.sink, registry: this.registry, cfg: deps.config.analytics, zone: deps.config.general.timezone, log });
    // A fleet upload arrives in many batches: reload the registry once they pause.
    let pendingRefresh: NodeJS.Timeout | undefined;
    this.offRegistry = deps.bus.on('registry.changed', () => {
      if (pendingRefresh || !deps.config.analytics.stream) return;
      pendingRefresh = setTimeout(() => {
        pendingRefresh = undefined;
        void this.registry.refresh();
      }, 500);
      pendingRefresh.unref();
    });
  }

  private readonly offRegistry: () => void;

  async start(): Promise<void> {
    await this.sink.load();
    if (this.deps.config.analytics.stream) {
      // The registry copy serves the stream rules only.
      await this.registry.start();
      await this.stream.start();
    }
    const every = this.deps.config.analytics.schedule;
    if (every > 0) {
      this.timer = setInterval(() => void this.run(Date.now()).catch((err: unknown) => this.deps.log.error({ err }, 'scheduled analytics failed')), every);
      this.timer.unref();
    }
  }

  /** One batch pass as of `asOf`; concurrent requests share the pass in flight. */
  run(asOf: number): Promise<RunSummary> {
    if (this.running) return this.running.then(() => this.run(asOf));
    const pass = runBatch(this.batchSql, this.sink, asOf, this.deps.config.general.timezone, this.deps.config.analytics, this.deps.log.child({ module: 'analytics' }), this.deps.httpUrl);
    this.running = pass;
    return pass.then(
      (summary) => {
        this.running = undefined;
        this.lastRun = summary;
        return summary;
      },
      (err: unknown) => {
        this.running = undefined;
        throw err;
      },
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.offRegistry();
    this.registry.stop();
    await this.stream.stop();
    await this.running?.catch(() => undefined);
    await this.batchSql.close();
  }
}
