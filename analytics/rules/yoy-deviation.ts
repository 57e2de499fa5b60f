import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, robustZ, round } from '../stats.ts';
import { candidate, thresholdFor, type BatchContext } from './context.ts';
import { adjustedLogRatio, yearPairs } from './seasonal.ts';

const CATEGORIES = new Set(['commercial', 'collective', 'residential_bulk']);

/**
 * yoy_deviation (domain.md §4): commercial, collective and residential-bulk month usage
 * against the same month last year, firing below −5 % or above +10 % as the regulations
 * write it. The score measures the change, less the whole fleet's change that month (weather,
 * holidays), against the customer's own usual year-over-year swings (robust SDs), so a cold
 * winter or a city-wide event ranks low and one customer's bypass ranks high.
 */
export function yoyDeviation(ctx: BatchContext): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const s of ctx.meters.values()) {
    if (!s.info.category || !CATEGORIES.has(s.info.category)) continue;
    const pairs = yearPairs(s, ctx.asOf);
    const logRatios = pairs.map((p) => adjustedLogRatio(s, p, ctx.fleetIndex));
    const down = thresholdFor(ctx.cfg.yoyDown, s.info, ctx.cfg);
    const up = thresholdFor(ctx.cfg.yoyUp, s.info, ctx.cfg);
    pairs.forEach(({ m, prev }, i) => {
      const change = (m.usage - prev.usage) / prev.usage;
      if (change >= -down && change <= up) return;
      const others = logRatios.filter((_, j) => j !== i);
      const z = Math.abs(robustZ(logRatios[i]!, others, 0.1, 0.25));
      out.push(
        candidate(s.info, 'yoy_deviation', {
          severity: 'warning',
          periodStart: m.start,
          periodEnd: m.end,
          value: round(change * 100, 2),
          threshold: change < 0 ? -round(down * 100, 2) : round(up * 100, 2),
          score: clampScore(z),
          message: `${round(m.usage, 1)} m³ against ${round(prev.usage, 1)} m³ in the same month last year (${change > 0 ? '+' : ''}${round(change * 100, 1)} %)`,
          evidence: { usage: round(m.usage, 3), previousYear: round(prev.usage, 3), previousYearStart: prev.start, changePercent: round(change * 100, 2), fleetChangePercent: round((Math.exp(ctx.fleetIndex?.get(`${s.info.category}|${m.start}`) ?? 0) - 1) * 100, 2) },
        }),
      );
    });
  }
  return out;
}

export { yearPairs };
