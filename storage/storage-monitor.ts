import type { Logger } from '../core/logger.ts';
import type { QuestdbEndpoints } from './questdb/endpoints.ts';
import type { SqlClient } from './sql.ts';

export interface StorageState {
  state: 'up' | 'down';
  since: number;
  lastCheck: number;
  lastError?: string | undefined;
  httpUrl: string;
}

/** Pings QuestDB on a timer so /api/health can answer without waiting on storage. */
export class StorageMonitor {
  private timer: NodeJS.Timeout | undefined;
  private current: StorageState;

  constructor(private readonly endpoints: QuestdbEndpoints, private readonly sql: SqlClient, private readonly log: Logger, private readonly intervalMs = 2_000) {
    const now = Date.now();
    this.current = { state: 'up', since: now, lastCheck: now, httpUrl: endpoints.httpUrl };
  }

  get state(): Readonly<StorageState> {
    return this.current;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async check(): Promise<StorageState> {
    const ok = await this.sql.ping();
    const now = Date.now();
    const state = ok ? 'up' : 'down';
    if (state !== this.current.state) {
      this.log[ok ? 'info' : 'warn']({ state }, 'QuestDB state changed');
      this.current = { state, since: now, lastCheck: now, httpUrl: this.endpoints.httpUrl, lastError: ok ? undefined : 'SELECT 1 failed' };
    } else {
      this.current = { ...this.current, lastCheck: now };
    }
    return this.current;
  }
}
