import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, robustZ, round } from '../stats.ts';
import { candidate, completeMonths, thresholdFor, type BatchContext } from './context.ts';

/**
 * bulk_drop (domain.md §4): a residential bulk meter whose month falls far below what its
 * own trend and season predict. Expected = same month last year × the trend of the three
 * months before (this year against last; fewer early in the second year), so a building that is emptying slowly or a mild
 * winter does not fire, but a sudden bypass does.
 */
export function bulkDrop(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (s.info.category !== 'residential_bulk') continue;
    const complete = new Set(completeMonths(s, ctx.asOf).map((m) => m.start));
    const u = (i: number) => (i >= 0 && i < s.months.length && complete.has(s.months[i]!.start) ? s.months[i]!.usage : undefined);
    const drop = thresholdFor(ctx.cfg.bulkDrop, s.info, ctx.cfg);
    const expectations: { i: number; expected: number; logErr: number; low: boolean }[] = [];
    // Months already found far below are the drop, not the trend: a bypass that stays is
    // reported every month (against the three months before it), not absorbed after three.
    const dropped = new Set<number>();
    for (let i = 12; i < s.months.length; i++) {
      const now = u(i);
      const lastYear = u(i - 12);
      if (now === undefined || lastYear === undefined || lastYear < 1) continue;
      let recent = 0;
      let recentLastYear = 0;
      let used = 0;
      let ok = true;
      // The trend of up to three months before (fewer in the first months of the second year:
      // a bypass made then is as real as one made later), months found dropped left out.
      for (let k = 1; used < 3 && k <= 12 && i - 12 - k >= 0; k++) {
        if (dropped.has(i - k)) continue;
        const a = u(i - k);
        const b = u(i - 12 - k);
        if (a === undefined || b === undefined) ok = false;
        else {
          recent += a;
          recentLastYear += b;
        }
        used++;
      }
      // The first month of the second year has no trend to compare with: a building emptying
      // and a bypass look the same there, so it is not judged.
      if (used === 0) continue;
      const trend = ok && recentLastYear > 1 ? Math.min(2, Math.max(0.5, recent / recentLastYear)) : 1;
      const expected = lastYear * trend;
      const low = now < expected * (1 - drop);
      if (low) dropped.add(i);
      expectations.push({ i, expected, logErr: Math.log(Math.max(now, 0.01) / expected), low });
    }
    for (const e of expectations) {
      const m = s.months[e.i]!;
      const limit = e.expected * (1 - drop);
      if (!e.low) continue;
      const others = expectations.filter((o) => o !== e).map((o) => o.logErr);
      const z = -robustZ(e.logErr, others, 0.05, 0.15);
      out.push(
        candidate(s.info, 'bulk_drop', {
          severity: 'critical',
          periodStart: m.start,
          periodEnd: m.end,
          value: round(m.usage, 3),
          threshold: round(limit, 3),
          score: clampScore(z),
          message: `${round(m.usage, 1)} m³ where trend and season expect ${round(e.expected, 1)} m³ (${round((m.usage / e.expected - 1) * 100, 1)} %)`,
          evidence: { usage: round(m.usage, 3), expected: round(e.expected, 3), sameMonthLastYear: round(s.months[e.i - 12]!.usage, 3) },
        }),
      );
    }
  }
  return out;
}
