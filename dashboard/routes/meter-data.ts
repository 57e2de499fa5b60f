import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { isValidId } from '../../core/ids.ts';
import { formatInZone } from '../../core/time.ts';
import type { Granularity } from '../../core/usage/calendar.ts';
import { meterReadings } from '../../storage/readings/meter-readings.ts';
import type { ReplacementsRepo } from '../../storage/registry/replacements-repo.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { meterBillingPeriods, meterUsage } from '../../storage/usage/meter-usage.ts';
import { readingsArrow, readingsCsv } from '../exports/readings-export.ts';
import { BadParam, enumParam, rangeParams } from './query-params.ts';
import { volumeIn, type AdjustmentPart } from '../../analytics/adjustments/adjustments-repo.ts';

/**
 * A meter's stored readings and usage (interface.md §2):
 * - `GET /api/meters/{id}/readings?from&to&format=json|csv|arrow` [last 31 days, json]
 * - `GET /api/meters/{id}/usage?granularity=day|month&from&to` [month, last 12 months]:
 *   calendar periods in the company zone, reads pro-rated across period edges, each period
 *   with the same period a year earlier. Extra fields: `coverage` (share of the period the
 *   reads cover), `previousYearEstimated`, `previousYearCoverage`.
 * - `GET /api/meters/{id}/billing-periods?from&to` read-to-read usage.
 */
export interface MeterDataRouteDeps {
  sql: SqlClient;
  replacements: ReplacementsRepo;
  zone: string;
  /** Most readings one request returns [1,000,000]. */
  maxReadings?: number;
  /** Approved supplementary volumes of a meter (issue 7 item 3), for `usage?adjusted=true`. */
  adjustments?: ((meterId: string) => Promise<AdjustmentPart[]>) | undefined;
}

const round6 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e6) / 1e6);
const MAX_PERIODS = 3700;

function checkId(meterId: string): void {
  if (!isValidId(meterId)) throw new BadParam('meterId', meterId, 'expected 1–64 letters, digits, -, _ or .');
}

function answerError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof BadParam) return reply.code(400).send(err.body());
  throw err;
}

export async function meterDataRoutes(app: FastifyInstance, deps: MeterDataRouteDeps): Promise<void> {
  const zone = deps.zone;

  app.get<{ Params: { meterId: string } }>('/api/meters/:meterId/readings', async (req, reply) => {
    try {
      const { meterId } = req.params;
      checkId(meterId);
      const query = req.query as Record<string, unknown>;
      const { from, to } = rangeParams(query, (t) => t - 31 * 86_400_000);
      const format = enumParam(query, 'format', ['json', 'csv', 'arrow'] as const, 'json');
      const items = await meterReadings(deps.sql, meterId, from, to, deps.maxReadings ?? 1_000_000);
      if (format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${meterId}-readings.csv"`)
          .send(readingsCsv(meterId, items, zone));
      }
      if (format === 'arrow') {
        return reply
          .header('content-type', 'application/vnd.apache.arrow.stream')
          .header('content-disposition', `attachment; filename="${meterId}-readings.arrows"`)
          .send(Buffer.from(readingsArrow(meterId, items)));
      }
      return reply.send({ meterId, items: items.map((r) => ({ ...r, ts: formatInZone(r.ts, zone) })) });
    } catch (err) {
      return answerError(reply, err);
    }
  });

  app.get<{ Params: { meterId: string } }>('/api/meters/:meterId/usage', async (req, reply) => {
    try {
      const { meterId } = req.params;
      checkId(meterId);
      const query = req.query as Record<string, unknown>;
      const granularity = enumParam<Granularity>(query, 'granularity', ['day', 'month'], 'month');
      const { from, to } = rangeParams(query, (t) =>
        DateTime.fromMillis(t, { zone }).minus(granularity === 'month' ? { months: 12 } : { days: 31 }).startOf(granularity).toMillis(),
      );
      const days = (to - from) / 86_400_000;
      if (granularity === 'day' && days > MAX_PERIODS) throw new BadParam('from', String(query.from), `at most ${MAX_PERIODS} days per request`);
      const periods = await meterUsage(deps.sql, deps.replacements, meterId, { from, to, granularity, zone });
      // `adjusted=true` (issue 7 item 3): approved supplementary volume added beside the raw usage, never instead of it.
      const adjusted = enumParam(query, 'adjusted', ['true', 'false'] as const, 'false') === 'true';
      const parts = adjusted && deps.adjustments ? await deps.adjustments(meterId) : undefined;
      const adjustmentOf = (p: { start: number; end: number; usage: number | null }) => {
        if (!parts) return {};
        const adjustment = round6(volumeIn(parts, p.start, p.end)) ?? 0;
        return { adjustment, adjustedUsage: p.usage === null && adjustment === 0 ? null : round6((p.usage ?? 0) + adjustment) };
      };
      return reply.send({
        meterId,
        granularity,
        periods: periods.map((p) => ({
          ...adjustmentOf(p),
          start: formatInZone(p.start, zone),
          end: formatInZone(p.end, zone),
          usage: round6(p.usage),
          previousYear: round6(p.previousYear),
          estimated: p.estimated,
          coverage: round6(p.coverage),
          previousYearEstimated: p.previousYearEstimated,
          previousYearCoverage: round6(p.previousYearCoverage),
        })),
      });
    } catch (err) {
      return answerError(reply, err);
    }
  });

  app.get<{ Params: { meterId: string } }>('/api/meters/:meterId/billing-periods', async (req, reply) => {
    try {
      const { meterId } = req.params;
      checkId(meterId);
      const { from, to } = rangeParams(req.query as Record<string, unknown>, (t) => t - 366 * 86_400_000);
      const periods = await meterBillingPeriods(deps.sql, deps.replacements, meterId, from, to);
      return reply.send({
        meterId,
        periods: periods.map((p) => ({ ...p, start: formatInZone(p.start, zone), end: formatInZone(p.end, zone), usage: round6(p.usage) })),
      });
    } catch (err) {
      return answerError(reply, err);
    }
  });
}
