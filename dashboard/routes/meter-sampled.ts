import type { FastifyInstance } from 'fastify';
import { isValidId } from '../../core/ids.ts';
import { formatInZone } from '../../core/time.ts';
import { sampledReadings } from '../../storage/readings/sampled-readings.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { BadParam, rangeParams } from './query-params.ts';

/**
 * `GET /api/meters/{id}/readings/sampled?from&to&points` [last 31 days, 2000 points]: the
 * readings chart of the dashboard over any range, aggregated in QuestDB (SAMPLE BY) into
 * buckets with first/last/min/max register and the highest flow.
 */
export async function meterSampledRoutes(app: FastifyInstance, deps: { sql: SqlClient; zone: string }): Promise<void> {
  app.get<{ Params: { meterId: string } }>('/api/meters/:meterId/readings/sampled', async (req, reply) => {
    try {
      const { meterId } = req.params;
      if (!isValidId(meterId)) throw new BadParam('meterId', meterId, 'expected 1–64 letters, digits, -, _ or .');
      const query = req.query as Record<string, unknown>;
      const { from, to } = rangeParams(query, (t) => t - 31 * 86_400_000);
      const pointsText = String(query.points ?? '2000');
      const points = Number(pointsText);
      if (!Number.isInteger(points) || points < 10 || points > 100_000) throw new BadParam('points', pointsText, 'expected an integer from 10 to 100000');
      const result = await sampledReadings(deps.sql, meterId, from, to, points);
      return { meterId, bucketSeconds: result.bucketSeconds, items: result.items.map((i) => ({ ...i, ts: formatInZone(i.ts, deps.zone) })) };
    } catch (err) {
      if (err instanceof BadParam) return reply.code(400).send(err.body());
      throw err;
    }
  });
}
