import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { TypedBus } from '../core/bus.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { buildHealthReport, type HealthSources } from './health.ts';
import { meterDataRoutes, type MeterDataRouteDeps } from './routes/meter-data.ts';
import { metersRoutes, type MetersRouteDeps } from './routes/meters.ts';
import { alertRoutes, type AlertRoutesDeps } from './routes/alerts.ts';
import { alertStream } from './ws/alert-stream.ts';
import { lossRoutes, type LossRouteDeps } from './routes/loss.ts';
import { meterSampledRoutes } from './routes/meter-sampled.ts';
import { openApiDocs } from './routes/openapi.ts';
import { probeRoutes } from './routes/probes.ts';
import { uiRoutes } from './routes/ui.ts';
import { installAccess, type AccessDeps } from './auth/access.ts';
import { ledgerRoutes, type LedgerRoutesDeps } from './routes/ledger.ts';
import { adjustmentRoutes, type AdjustmentRoutesDeps } from './routes/adjustments.ts';
import { blacklistRoutes, type BlacklistRoutesDeps } from './routes/blacklist.ts';
import { kpiRoutes, type KpiRoutesDeps } from './routes/kpis.ts';
import { ingestRoutes, type IngestRoutesDeps } from './routes/ingest.ts';
import { visitRoutes, type VisitRoutesDeps } from './routes/visits.ts';
import { weatherRoutes, type WeatherRouteDeps } from './routes/weather.ts';

export interface AppDeps {
  log: Logger;
  health: HealthSources;
  startedAt?: number;
  /** Registry API (POST/GET /api/meters…), issue 4. */
  meters?: MetersRouteDeps;
  /** A meter's readings and usage (GET /api/meters/{id}/readings|usage), issue 4. */
  meterData?: MeterDataRouteDeps;
  bus?: TypedBus<MeterwatchEvents>;
  zone?: string;
  /** Alerts API and analytics runs (issue: analytics). */
  alerts?: AlertRoutesDeps;
  /** Gas loss per district and bulk meter (issue 8). */
  loss?: LossRouteDeps;
  /** Serve the dashboard pages at `/` [true]. */
  ui?: boolean;
  /** Roles, tokens and the audit log (issue 7 item 4); absent: no checks at all. */
  access?: AccessDeps;
  /** Abnormal-usage ledger, blacklist, supplementary volume, reading KPIs (issue 7). */
  ledger?: LedgerRoutesDeps;
  adjustments?: AdjustmentRoutesDeps;
  blacklist?: BlacklistRoutesDeps;
  kpis?: KpiRoutesDeps;
  /** HTTP ingest endpoints, GET /api/ingest/rejected and /metrics (issue 3). */
  ingest?: IngestRoutesDeps | undefined;
  /** Visit schedule of the visit classes, GET /api/visits/due (issue 6 item 2). */
  visits?: VisitRoutesDeps | undefined;
  /** Temperature series for yoy_deviation's weather normalisation (POST/GET /api/weather), issue 6 item 2. */
  weather?: WeatherRouteDeps | undefined;
}

/** The HTTP API and dashboard, built without listen() so tests can use app.inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Per-request logs at ingest volume drown everything else: the HTTP logger starts at warn.
  const level = deps.log.levelVal > 40 ? deps.log.level : 'warn';
  const app = Fastify({ loggerInstance: deps.log.child({ module: 'http' }, { level }) as FastifyBaseLogger, bodyLimit: 1024 * 1024 });
  const startedAt = deps.startedAt ?? Date.now();
  // Root hooks: installed before any route family so they cover all of them.
  if (deps.access) installAccess(app, deps.access);

  // First, so its onRoute hook sees every route registered after it (OpenAPI at /docs).
  await openApiDocs(app);

  app.get('/api/health', async (_req, reply) => {
    const report = buildHealthReport(deps.health, startedAt);
    return reply.code(report.status === 'down' ? 503 : 200).send(report);
  });

  // Each route family is its own encapsulated plugin (its content-type parsers stay local).
  const { meters, meterData } = deps;
  if (meters) await app.register(async (scope) => metersRoutes(scope, meters));
  if (meterData) await app.register(async (scope) => meterDataRoutes(scope, meterData));
  if (meterData) await app.register(async (scope) => meterSampledRoutes(scope, { sql: meterData.sql, zone: meterData.zone }));
  await app.register(websocket);
  if (deps.alerts) await app.register(alertRoutes(deps.alerts));
  if (deps.bus) await app.register(alertStream(deps.bus, deps.zone ?? 'Asia/Shanghai'));
  const { loss } = deps;
  if (loss) await app.register(async (scope) => lossRoutes(scope, loss));
  await app.register(async (scope) => probeRoutes(scope, deps.health));
  if (deps.ui !== false) await app.register(async (scope) => uiRoutes(scope, { zone: deps.zone ?? 'Asia/Shanghai', sql: deps.alerts?.sql ?? deps.loss?.sql }));
  if (deps.ledger) await app.register(ledgerRoutes(deps.ledger));
  if (deps.adjustments) await app.register(adjustmentRoutes(deps.adjustments));
  if (deps.blacklist) await app.register(blacklistRoutes(deps.blacklist));
  if (deps.kpis) await app.register(kpiRoutes(deps.kpis));
  if (deps.ingest) await app.register(ingestRoutes, deps.ingest);
  if (deps.visits) await app.register(visitRoutes(deps.visits));
  const { weather } = deps;
  if (weather) await app.register(async (scope) => weatherRoutes(scope, weather));

  return app;
}
