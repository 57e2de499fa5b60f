import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../core/logger.ts';
import { buildHealthReport, type HealthSources } from './health.ts';
import { ingestRoutes, type IngestRoutesDeps } from './routes/ingest.ts';

export interface AppDeps {
  log: Logger;
  health: HealthSources;
  startedAt?: number;
  /** HTTP ingest endpoints, GET /api/ingest/rejected and /metrics (issue 3). */
  ingest?: IngestRoutesDeps | undefined;
}

/** The HTTP API and dashboard, built without listen() so tests can use app.inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Per-request logs at ingest volume drown everything else: the HTTP logger starts at warn.
  const level = deps.log.levelVal > 40 ? deps.log.level : 'warn';
  const app = Fastify({ loggerInstance: deps.log.child({ module: 'http' }, { level }) as FastifyBaseLogger, bodyLimit: 1024 * 1024 });
  const startedAt = deps.startedAt ?? Date.now();

  app.get('/api/health', async (_req, reply) => {
    const report = buildHealthReport(deps.health, startedAt);
    return reply.code(report.status === 'down' ? 503 : 200).send(report);
  });

  if (deps.ingest) await app.register(ingestRoutes, deps.ingest);

  return app;
}
