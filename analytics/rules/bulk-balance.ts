import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, robustZ, round } from '../stats.ts';
import { candidate, completeMonths, thresholdFor, type BatchContext } from './context.ts';

/** Household reads on other days than the bulk meter's blur a month by a little (domain.md §7). */
const TOLERANCE = 0.01;

/**
 * bulk_balance (interface.md §3): the household meters behind a bulk meter together use
 * more than the bulk meter, or the loss share (bulk − households) / bulk passes the limit.
 */
export function bulkBalance(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const [bulkId, houseIds] of ctx.households) {
    const bulk = ctx.meters.get(bulkId);
    if (!bulk || houseIds.length === 0) continue;
    const houses = houseIds.map((id) => ctx.meters.get(id)).filter((h) => h !== undefined);
    const houseMonths = houses.map((h) => new Map(completeMonths(h, ctx.asOf).map((m) => [m.start, m.usage])));
    // A household that has stopped reporting (last read before the month) registers nothing
    // for the month: its gas shows as loss, as it does to the bulk meter (dead or removed
    // household meters are a cause of loss). One whose next read is still due is unknown.
    const lastRead = houses.map((h) => h.latest?.ts ?? h.points[h.points.length - 1]?.t ?? Number.NEGATIVE_INFINITY);
    const rows: { start: number; end: number; bulk: number; sum: number; share: number }[] = [];
    for (const m of completeMonths(bulk, ctx.asOf)) {
      if (m.usage <= 0) continue;
      let sum = 0;
      let complete = true;
      houseMonths.forEach((hm, k) => {
        const v = hm.get(m.start);
        if (v !== undefined) sum += v;
        else if (lastRead[k]! >= m.start) complete = false;
      });
      // Households without reads for the month would look like loss: skip such months.
      if (!complete || houses.length < houseIds.length) continue;
      rows.push({ start: m.start, end: m.end, bulk: m.usage, sum, share: (m.usage - sum) / m.usage });
    }
    const limit = thresholdFor(ctx.cfg.bulkLossShare, bulk.info, ctx.cfg);
    for (const r of rows) {
      const exceeds = r.sum > r.bulk * (1 + TOLERANCE);
      if (!exceeds && r.share <= limit) continue;
      const z = Math.abs(robustZ(r.share, rows.filter((o) => o !== r).map((o) => o.share), 0.01, 0.03));
      out.push(
        candidate(bulk.info, 'bulk_balance', {
          severity: 'warning',
          periodStart: r.start,
          periodEnd: r.end,
          value: exceeds ? round(r.sum, 3) : round(r.share * 100, 2),
          threshold: exceeds ? round(r.bulk, 3) : round(limit * 100, 2),
          score: clampScore(z),
          message: exceeds
            ? `household meters used ${round(r.sum, 1)} m³, more than the bulk meter's ${round(r.bulk, 1)} m³`
            : `loss share ${round(r.share * 100, 1)} % (bulk ${round(r.bulk, 1)} m³, households ${round(r.sum, 1)} m³) above ${round(limit * 100, 1)} %`,
          evidence: { bulkUsage: round(r.bulk, 3), householdSum: round(r.sum, 3), lossShare: round(r.share, 4), households: houseIds.length },
        }),
      );
    }
  }
  return out;
}
