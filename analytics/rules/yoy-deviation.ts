import type { AlertCandidate } from '../alerts/alert-candidate.ts';
import { clampScore, median, robustZExcept, round } from '../stats.ts';
import { candidate, completeMonths, thresholdFor, type BatchContext, type MeterSeries } from './context.ts';
import { adjustedLogRatio, MIN_FLEET, yearPairs, type YearPair } from './seasonal.ts';
import { heatingModel, hddSeriesFor, weatherExpectation, weatherLogRatio, type WeatherExpectation } from './weather-normal.ts';

const CATEGORIES = new Set(['commercial', 'collective', 'residential_bulk']);

/** One customer's year pairs, each with its weather expectation when both months have HDD. */
interface MeterPairs {
  s: MeterSeries;
  pairs: readonly YearPair[];
  weather: (WeatherExpectation | undefined)[];
}

/**
 * yoy_deviation (domain.md §4): commercial, collective and residential-bulk month usage
 * against the same month last year, firing below −5 % or above +10 % as the regulations
 * write it. The score measures the change against the customer's own usual year-over-year
 * swings (robust SDs), after the weather: when a temperature series covers both months
 * (ctx.hddByMonth, rules/weather-normal.ts) the change is taken against the usage the
 * heating degree days explain, less what the whole fleet still shares after the weather
 * (a holiday that moved, a lockdown); otherwise the whole fleet's change that month is taken
 * out (rules/seasonal.ts fleetYoyIndex). So a cold winter or a city-wide event ranks low and
 * one customer's bypass ranks high. value and threshold stay the raw change (interface.md §3).
 */
export function yoyDeviation(ctx: BatchContext): AlertCandidate[] {
  const all: MeterPairs[] = [];
  for (const s of ctx.meters.values()) {
    if (!s.info.category || !CATEGORIES.has(s.info.category)) continue;
    const complete = completeMonths(s, ctx.asOf);
    const pairs = yearPairs(s, ctx.asOf);
    if (pairs.length === 0) continue;
    const hdd = hddSeriesFor(s, ctx.hddByMonth);
    const model = hdd ? heatingModel(s, ctx.asOf, hdd, complete) : undefined;
    all.push({ s, pairs, weather: pairs.map((p) => (hdd && model ? weatherExpectation(p, model, hdd) : undefined)) });
  }
  const residual = residualFleetIndex(all);
  const out: AlertCandidate[] = [];
  for (const { s, pairs, weather } of all) {
    const logRatios = Float64Array.from(pairs, (p, i) => {
      const w = weather[i];
      return w ? weatherLogRatio(p, w) - (residual.get(`${s.info.category}|${p.m.start}`) ?? 0) : adjustedLogRatio(s, p, ctx.fleetIndex);
    });
    const down = thresholdFor(ctx.cfg.yoyDown, s.info, ctx.cfg);
    const up = thresholdFor(ctx.cfg.yoyUp, s.info, ctx.cfg);
    pairs.forEach(({ m, prev }, i) => {
      const change = (m.usage - prev.usage) / prev.usage;
      if (change >= -down && change <= up) return;
      const z = Math.abs(robustZExcept(logRatios, i, 0.1, 0.25));
      const w = weather[i];
      const evidence: Record<string, unknown> = {
        usage: round(m.usage, 3),
        previousYear: round(prev.usage, 3),
        previousYearStart: prev.start,
        changePercent: round(change * 100, 2),
        fleetChangePercent: round((Math.exp(ctx.fleetIndex?.get(`${s.info.category}|${m.start}`) ?? 0) - 1) * 100, 2),
      };
      let message = `${round(m.usage, 1)} m³ against ${round(prev.usage, 1)} m³ in the same month last year (${change > 0 ? '+' : ''}${round(change * 100, 1)} %)`;
      if (w) {
        const normalised = m.usage / w.expected - 1;
        Object.assign(evidence, {
          weatherNormalised: true,
          hdd: round(w.hdd, 1),
          previousYearHdd: round(w.previousYearHdd, 1),
          hddBaseC: ctx.cfg.hddBase,
          expectedUsage: round(w.expected, 3),
          weatherNormalisedChangePercent: round(normalised * 100, 2),
          fleetChangeAfterWeatherPercent: round((Math.exp(residual.get(`${s.info.category}|${m.start}`) ?? 0) - 1) * 100, 2),
          baseLoadPerDay: round(w.model.basePerDay, 4),
          heatingPerHdd: round(w.model.perHdd, 4),
          heatingResponse: w.model.heats,
        });
        message += `; the weather (HDD ${round(w.hdd, 0)} against ${round(w.previousYearHdd, 0)}) explains ${round(w.expected, 1)} m³ (${normalised > 0 ? '+' : ''}${round(normalised * 100, 1)} % after weather)`;
      }
      out.push(
        candidate(s.info, 'yoy_deviation', {
          severity: 'warning',
          periodStart: m.start,
          periodEnd: m.end,
          value: round(change * 100, 2),
          threshold: change < 0 ? -round(down * 100, 2) : round(up * 100, 2),
          score: clampScore(z),
          message,
          evidence,
        }),
      );
    });
  }
  return out;
}

/**
 * What the fleet still shares after the weather, per category and month: the median of the
 * weather-normalised log ratios (as fleetYoyIndex does for raw ones). HDD explain heating;
 * a Spring Festival that moved from February to January, or a city-wide closure, moves every
 * customer of a category and is not one customer's fault. Needs MIN_FLEET customers.
 */
function residualFleetIndex(all: readonly MeterPairs[]): Map<string, number> {
  const byKey = new Map<string, number[]>();
  for (const { s, pairs, weather } of all) {
    pairs.forEach((p, i) => {
      const w = weather[i];
      if (!w) return;
      const k = `${s.info.category}|${p.m.start}`;
      const list = byKey.get(k) ?? [];
      list.push(weatherLogRatio(p, w));
      byKey.set(k, list);
    });
  }
  const index = new Map<string, number>();
  for (const [k, list] of byKey) if (list.length >= MIN_FLEET) index.set(k, median(list));
  return index;
}

export { yearPairs };
