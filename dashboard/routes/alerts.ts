import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { parseTimestamp } from '../../core/time.ts';
import { ALERT_STATUSES, type AlertStatus } from '../../core/types.ts';
import { isMeterwatchError } from '../../core/errors.ts';
import type { AnalyticsService } from '../../analytics/analytics-service.ts';
import { parseAlertQuery, queryAlerts } from '../../analytics/alerts/alert-query.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { alertJson, alertsCsv, alertsXlsx } from './alert-format.ts';
import { customerContacts } from '../../storage/registry/customer-contacts.ts';

export interface AlertRoutesDeps {
  sql: SqlClient;
  analytics: AnalyticsService;
  zone: string;
}

/** GET /api/alerts, POST /api/analytics/run, POST /api/alerts/{id}/status (interface.md §2). */
export function alertRoutes(deps: AlertRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/api/alerts', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      let query;
      try {
        query = parseAlertQuery(q);
      } catch (err) {
        if (isMeterwatchError(err)) return reply.code(400).send({ error: err.code, message: err.message, ...err.details });
        throw err;
      }
      const format = q.format ?? 'json';
      if (!['json', 'csv', 'xlsx'].includes(format)) return reply.code(400).send({ error: 'MW_ERR_VALIDATION', message: `format: must be json, csv or xlsx (got "${format}")`, field: 'format', value: format });
      // lang: language of the XLSX headers and vocabulary words (issue 8 item 2: Chinese headers by default).
      const lang = q.lang ?? 'zh';
      if (lang !== 'zh' && lang !== 'en') return reply.code(400).send({ error: 'MW_ERR_VALIDATION', message: `lang: must be zh or en (got "${lang}")`, field: 'lang', value: lang });
      const page = await queryAlerts(deps.sql, query);
      if (format === 'xlsx') {
        return reply
          .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', 'attachment; filename="alerts.xlsx"')
          .send(await alertsXlsx(page.items, deps.zone, lang, await customerContacts(deps.sql, page.items.map((a) => a.meterId))));
      }
      if (format === 'csv') {
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="alerts.csv"').send(alertsCsv(page.items, deps.zone));
      }
      // include=customer: the customer's name, address and contact with each alert (inspection lists).
      if (q.include === 'customer') {
        const contacts = await customerContacts(deps.sql, page.items.map((a) => a.meterId));
        return { items: page.items.map((a) => ({ ...alertJson(a, deps.zone), customer: contacts.get(a.meterId) ?? null })), ...(page.next ? { next: page.next } : {}) };
      }
      return { items: page.items.map((a) => alertJson(a, deps.zone)), ...(page.next ? { next: page.next } : {}) };
    });

    app.post('/api/analytics/run', async (req, reply) => {
      const body = (req.body ?? {}) as { asOf?: unknown };
      let asOf = Date.now();
      if (body.asOf !== undefined) {
        const t = parseTimestamp(body.asOf);
        if (t === undefined) return reply.code(400).send({ error: 'MW_ERR_VALIDATION', message: `asOf: must be an ISO 8601 timestamp with offset or epoch milliseconds (got ${JSON.stringify(body.asOf)})`, field: 'asOf', value: body.asOf });
        asOf = t;
      }
      const summary = await deps.analytics.run(asOf);
      return { ...summary, asOf: new Date(summary.asOf).toISOString() };
    });

    app.post('/api/alerts/:id/status', async (req, reply) => {
      const { id } = req.params as { id: string };
      const status = (req.body as { status?: unknown } | undefined)?.status;
      if (typeof status !== 'string' || !(ALERT_STATUSES as readonly string[]).includes(status)) {
        return reply.code(400).send({ error: 'MW_ERR_VALIDATION', message: `status: must be one of ${ALERT_STATUSES.join(', ')} (got ${JSON.stringify(status)})`, field: 'status', value: status });
      }
      const alert = await deps.analytics.sink.setStatus(id, status as AlertStatus);
      if (!alert) return reply.code(404).send({ error: 'MW_ERR_NOT_FOUND', message: `no alert with id ${id}` });
      return alertJson(alert, deps.zone);
    });
  };
}
