import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { parseMonth } from '../../core/time.ts';
import { readerKpis, type ReaderKpiOptions } from '../../analytics/kpis/reader-kpis.ts';
import type { SqlClient } from '../../storage/sql.ts';
import type { AuditLog } from '../auth/audit-log.ts';
import { csvWithBom, invalid, replyError } from './body-fields.ts';
import { formatInZone } from '../../core/time.ts';
import { timeParam } from './query-params.ts';

export interface KpiRoutesDeps {
  sql: SqlClient;
  zone: string;
  kpi: Omit<ReaderKpiOptions, 'month' | 'zone'>;
  audit?: AuditLog | undefined;
}

const KPI_COLUMNS = ['route', 'readerId', 'shouldRead', 'readMeters', 'seenMeters', 'readSeenRate', 'meetsSeenTarget', 'coverage', 'reads', 'estimatedReads', 'estimatedShare', 'outsideWindow', 'outsideWindowShare', 'faultsOverLimit'];

/** `GET /api/kpis/readers?month=YYYY-MM&format=json|csv` (issue 7 item 5) and `GET /api/audit` (item 4). */
export function kpiRoutes(deps: KpiRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/api/kpis/readers', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      try {
        if (!q.month || parseMonth(q.month, deps.zone) === undefined) throw invalid('month', q.month, 'required, written YYYY-MM');
        const format = q.format ?? 'json';
        if (format !== 'json' && format !== 'csv') throw invalid('format', format, 'must be json or csv');
        const result = await readerKpis(deps.sql, { ...deps.kpi, month: q.month, zone: deps.zone });
        if (format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="reader-kpis-${q.month}.csv"`).send(csvWithBom(KPI_COLUMNS, result.items as unknown as Record<string, unknown>[]));
        return { month: result.month, from: formatInZone(result.from, deps.zone), to: formatInZone(result.to, deps.zone), targets: { readSeenRate: deps.kpi.seenTarget, readWindow: [deps.kpi.readDayFirst, deps.kpi.readDayLast], faultLimitDays: deps.kpi.faultLimitMs / 86_400_000 }, items: result.items };
      } catch (err) {
        return replyError(reply, err);
      }
    });

    const audit = deps.audit;
    if (audit) {
      app.get('/api/audit', async (req, reply) => {
        const q = req.query as Record<string, string | undefined>;
        try {
          const limit = Number(q.limit ?? 1000);
          if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw invalid('limit', q.limit, 'must be an integer from 1 to 100000');
          const from = q.from ? timeParam(q, 'from', 0) : undefined;
          const to = q.to ? timeParam(q, 'to', 0) : undefined;
          const items = await audit.query({ from, to, actor: q.actor, limit });
          return { items: items.map((e) => ({ ...e, ts: formatInZone(e.ts, deps.zone) })) };
        } catch (err) {
          return replyError(reply, err);
        }
      });
    }
  };
}
