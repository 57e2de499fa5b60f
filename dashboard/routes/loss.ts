import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { isValidId } from '../../core/ids.ts';
import { bulkMeterLoss, districtLoss } from '../../storage/loss/gas-loss.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { BadParam, enumParam, rangeParams } from './query-params.ts';

/**
 * Gas loss for managers (domain.md §7; issue 8 items 4–5), aggregated in QuestDB:
 * - `GET /api/loss/districts?from&to` monthly supply vs customer usage per district;
 * - `GET /api/loss/bulk-meters?from&to&limit&sort&bulkMeterId` household sum vs bulk usage
 *   per bulk meter and month, the worst `limit` [10] first by `sort=lossShare|loss` [lossShare].
 * `from`/`to` are widened to whole calendar months of the company zone [last 12 months].
 */
export interface LossRouteDeps {
  sql: SqlClient;
  zone: string;
}

interface Totals {
  loss: number | null;
  lossShare: number | null;
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Loss and its share of what came in; null when nothing came in (share undefined). */
export function lossOf(input: number, output: number): Totals {
  if (!(input > 0)) return { loss: input === 0 && output === 0 ? null : round(input - output), lossShare: null };
  return { loss: round(input - output), lossShare: round((input - output) / input, 4) };
}

function monthRange(query: Record<string, unknown>, zone: string): { from: number; to: number } {
  const { from, to } = rangeParams(query, (t) => DateTime.fromMillis(t, { zone }).minus({ months: 12 }).toMillis());
  const f = DateTime.fromMillis(from, { zone }).startOf('month');
  const t0 = DateTime.fromMillis(to, { zone });
  const t = t0.equals(t0.startOf('month')) ? t0 : t0.startOf('month').plus({ months: 1 });
  if (t.diff(f, 'months').months > 120) throw new BadParam('from', String(query.from), 'at most 120 months per request');
  return { from: f.toMillis(), to: t.toMillis() };
}

function answer(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof BadParam) return reply.code(400).send(err.body());
  throw err;
}

export async function lossRoutes(app: FastifyInstance, deps: LossRouteDeps): Promise<void> {
  const month = (ms: number) => DateTime.fromMillis(ms, { zone: deps.zone }).toFormat('yyyy-MM');

  app.get('/api/loss/districts', async (req, reply) => {
    try {
      const { from, to } = monthRange(req.query as Record<string, unknown>, deps.zone);
      const rows = await districtLoss(deps.sql, { from, to, zone: deps.zone });
      const byDistrict = new Map<string, typeof rows>();
      for (const r of rows) byDistrict.set(r.district, [...(byDistrict.get(r.district) ?? []), r]);
      const districts = [...byDistrict].map(([district, months]) => {
        const supply = months.reduce((s, m) => s + m.supply, 0);
        const customers = months.reduce((s, m) => s + m.customers, 0);
        return {
          district,
          supplyMeters: Math.max(...months.map((m) => m.supplyMeters)),
          customerMeters: Math.max(...months.map((m) => m.customerMeters)),
          total: { supply: round(supply), customers: round(customers), ...lossOf(supply, customers) },
          months: months.map((m) => ({
            month: month(m.monthStart),
            supply: round(m.supply),
            customers: round(m.customers),
            ...lossOf(m.supply, m.customers),
            minCoverage: round(m.minCoverage, 4),
          })),
        };
      });
      return { from: month(from), to: month(to), zone: deps.zone, districts };
    } catch (err) {
      return answer(reply, err);
    }
  });

  app.get('/api/loss/bulk-meters', async (req, reply) => {
    try {
      const query = req.query as Record<string, unknown>;
      const { from, to } = monthRange(query, deps.zone);
      const limitText = String(query.limit ?? '10');
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new BadParam('limit', limitText, 'expected an integer from 1 to 10000');
      const sort = enumParam(query, 'sort', ['lossShare', 'loss'] as const, 'lossShare');
      const bulkMeterId = query.bulkMeterId === undefined || query.bulkMeterId === '' ? undefined : String(query.bulkMeterId);
      if (bulkMeterId !== undefined && !isValidId(bulkMeterId)) throw new BadParam('bulkMeterId', bulkMeterId, 'expected 1–64 letters, digits, -, _ or .');
      const rows = await bulkMeterLoss(deps.sql, { from, to, zone: deps.zone, bulkMeterId });
      const byMeter = new Map<string, typeof rows>();
      for (const r of rows) byMeter.set(r.bulkMeterId, [...(byMeter.get(r.bulkMeterId) ?? []), r]);
      const items = [...byMeter].map(([bulkMeterId, months]) => {
        const bulk = months.reduce((s, m) => s + m.bulk, 0);
        const households = months.reduce((s, m) => s + m.households, 0);
        return {
          bulkMeterId,
          district: months.find((m) => m.district)?.district ?? null,
          householdMeters: Math.max(...months.map((m) => m.householdMeters)),
          total: { bulk: round(bulk), households: round(households), ...lossOf(bulk, households) },
          months: months.map((m) => ({ month: month(m.monthStart), bulk: round(m.bulk), households: round(m.households), ...lossOf(m.bulk, m.households), minCoverage: round(m.minCoverage, 4) })),
        };
      });
      const key = (i: (typeof items)[number]) => i.total[sort] ?? Number.NEGATIVE_INFINITY;
      items.sort((a, b) => key(b) - key(a));
      return { from: month(from), to: month(to), zone: deps.zone, sort, items: items.slice(0, limit), total: items.length };
    } catch (err) {
      return answer(reply, err);
    }
  });
}
