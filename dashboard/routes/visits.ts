import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { formatInZone } from '../../core/time.ts';
import { VISIT_CLASSES, type VisitClass } from '../../analytics/visits/visit-schedule.ts';
import { visitsDue, type VisitsDueDeps } from '../../analytics/visits/visits-due.ts';
import { visitRowJson, visitsCsv, visitsXlsx } from '../exports/visits-export.ts';
import { replyError } from './body-fields.ts';
import { enumParam, timeParam } from './query-params.ts';

export type VisitRoutesDeps = VisitsDueDeps;

const text = { type: 'string' } as const;

/** OpenAPI description (shown at /docs); values are checked by the handler so errors name field and value. */
const schema = {
  description:
    'Visit schedule of the visit classes (domain.md §4): for every customer in the ≥40 m³/h class (two windows a month: 1st–15th, 16th–end) ' +
    'or the ≥100 m³/month residential class (one window a month) as of `asOf`, the windows of that calendar month (company zone) and whether a ' +
    'ledger visit was recorded in each; overdue windows first. Membership lasts MW_VISIT_LARGE_FLOW_MONTHS / MW_VISIT_MONTHLY_MONTHS after the last qualifying month.',
  tags: ['visits'],
  querystring: {
    type: 'object',
    properties: {
      asOf: { ...text, description: 'ISO 8601 timestamp with offset, or epoch ms [now]' },
      district: { ...text, description: 'only customers of this district (registry as of asOf)' },
      route: { ...text, description: 'only customers of this reading route' },
      class: { ...text, description: 'large_flow | monthly' },
      state: { ...text, description: 'overdue | due | upcoming | done (comma-separated)' },
      format: { ...text, description: 'json | csv | xlsx [json]' },
      lang: { ...text, description: 'zh | en: XLSX headers and words [zh]' },
    },
  },
} as const;

const STATES = ['overdue', 'due', 'upcoming', 'done'] as const;

/** `GET /api/visits/due` (issue 6 item 2). */
export function visitRoutes(deps: VisitRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/api/visits/due', { schema }, async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      try {
        const asOf = timeParam(q, 'asOf', Date.now());
        const visitClass = enumParam<VisitClass | ''>(q, 'class', [...VISIT_CLASSES, ''], '') || undefined;
        const format = enumParam(q, 'format', ['json', 'csv', 'xlsx'] as const, 'json');
        const lang = enumParam(q, 'lang', ['zh', 'en'] as const, 'zh');
        const states = q.state ? q.state.split(',').map((s) => enumParam({ state: s }, 'state', STATES, 'due')) : undefined;
        const all = await visitsDue(deps, { asOf, district: q.district || undefined, route: q.route || undefined, visitClass });
        const rows = states ? all.filter((r) => states.includes(r.state)) : all;
        const zone = deps.options.zone;
        if (format === 'xlsx') {
          return reply
            .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
            .header('content-disposition', 'attachment; filename="visits-due.xlsx"')
            .send(await visitsXlsx(rows, zone, lang));
        }
        if (format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="visits-due.csv"').send(visitsCsv(rows, zone));
        const count = (s: (typeof STATES)[number]) => all.filter((r) => r.state === s).length;
        return {
          asOf: formatInZone(asOf, zone),
          zone,
          totals: { windows: all.length, overdue: count('overdue'), due: count('due'), upcoming: count('upcoming'), done: count('done') },
          items: rows.map((r) => visitRowJson(r, zone)),
        };
      } catch (err) {
        return replyError(reply, err);
      }
    });
  };
}
