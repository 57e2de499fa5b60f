import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, round } from '../stats.ts';
import { candidate, INACTIVE_STATUSES, thresholdFor, type BatchContext } from './context.ts';

/**
 * usage_while_inactive (domain.md §2): gas used at a vacant, suspended, sealed or removed
 * customer. For each such status interval, the register advance between the first and the
 * last read inside it; the alert runs from the first read that shows use.
 */
export function usageWhileInactive(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    const limit = thresholdFor(ctx.cfg.inactiveMinUsage, s.info, ctx.cfg);
    for (const iv of s.statuses) {
      if (!INACTIVE_STATUSES.includes(iv.status)) continue;
      const inside = s.points.filter((p) => p.t >= iv.from && p.t < Math.min(iv.to, ctx.asOf));
      if (inside.length < 2) continue;
      const base = inside[0]!;
      const firstUse = inside.find((p) => p.r - base.r > 0.001);
      const used = inside[inside.length - 1]!.r - base.r;
      if (!firstUse || used < limit) continue;
      out.push(
        candidate(s.info, 'usage_while_inactive', {
          severity: 'critical',
          periodStart: firstUse.t,
          periodEnd: inside[inside.length - 1]!.t,
          value: round(used, 3),
          threshold: limit,
          score: clampScore(3 + Math.log2(1 + used / limit)),
          message: `${round(used, 2)} m³ used while the customer is ${iv.status}`,
          evidence: { status: iv.status, statusSince: iv.from, registerAtStart: base.r, registerAtEnd: inside[inside.length - 1]!.r },
        }),
      );
    }
  }
  return out;
}
