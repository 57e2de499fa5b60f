/** The shape of GET /api/health (interface.md §2). */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  time: string;
  uptimeSeconds: number;
  broker: Record<string, unknown>;
  storage: Record<string, unknown>;
  ingest: { accepted: number; rejected: number; pending: number; spooled: number } & Record<string, unknown>;
}

export interface HealthSources {
  broker(): { state: string } & Record<string, unknown>;
  storage(): { state: string } & Record<string, unknown>;
  ingest(): HealthReport['ingest'];
}

/** ok: broker and storage up; degraded: one of them down; down: both. */
export function buildHealthReport(sources: HealthSources, startedAt: number, now = Date.now()): HealthReport {
  const broker = sources.broker();
  const storage = sources.storage();
  const ups = [broker.state === 'up', storage.state === 'up'].filter(Boolean).length;
  return {
    status: ups === 2 ? 'ok' : ups === 1 ? 'degraded' : 'down',
    time: new Date(now).toISOString(),
    uptimeSeconds: Math.round((now - startedAt) / 1000),
    broker,
    storage,
    ingest: sources.ingest(),
  };
}
