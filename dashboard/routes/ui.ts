import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { ALERT_STATUSES, RULE_IDS, SEVERITIES } from '../../core/types.ts';
import type { SqlClient } from '../../storage/sql.ts';

/**
 * The dashboard pages (issue 8 item 1): hand-written ES modules in dashboard/public/ served
 * at `/`, echarts from its npm package at `/vendor/echarts.min.js` (no CDN: the dashboard
 * must work with no internet), and `GET /api/config` with what the pages need to know —
 * the company time zone (interface.md "Time") and the fixed vocabularies.
 */
export interface UiRouteDeps {
  zone: string;
  /** For the district and route lists of the filters (`GET /api/registry/areas`). */
  sql?: SqlClient | undefined;
}

export const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
// The package's main file is dist/echarts.js; the minified build sits beside it.
const ECHARTS_DIST = dirname(createRequire(import.meta.url).resolve('echarts'));

export async function uiRoutes(app: FastifyInstance, deps: UiRouteDeps): Promise<void> {
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/', index: ['index.html'], wildcard: false, cacheControl: false });
  // A second static root needs decorateReply: false (the first one already decorated sendFile).
  await app.register(fastifyStatic, { root: ECHARTS_DIST, prefix: '/vendor/', decorateReply: false, allowedPath: (path) => path === '/echarts.min.js' });
  app.get('/api/config', { schema: { description: 'What the dashboard needs: company time zone and vocabularies', tags: ['dashboard'] } }, async () => ({
    timezone: deps.zone,
    rules: RULE_IDS,
    severities: SEVERITIES,
    statuses: ALERT_STATUSES,
    languages: ['zh-CN', 'en'],
  }));
  const sql = deps.sql;
  app.get('/api/registry/areas', { schema: { description: 'Districts and reading routes known to the registry (filter choices)', tags: ['dashboard'] } }, async () => {
    if (!sql) return { districts: [], routes: [] };
    const rows = await sql.query<{ district: string | null; route: string | null }>('SELECT DISTINCT district, route FROM meter_registry');
    const sorted = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x !== ''))].sort();
    return { districts: sorted(rows.map((r) => r.district)), routes: sorted(rows.map((r) => r.route)) };
  });
}
