import { sqlString, sqlTimestamp } from '../sql.ts';

/**
 * Month usage for many meters computed inside QuestDB (issue 4 item 4: 100k meters × 25
 * months never pull raw rows into Node). Same model as core/usage/register-usage.ts:
 *
 * 1. points: reads in [from − lookback, to + lookahead), plus two points per replacement —
 *    the old register's final reading 2 µs before it and the new register's first reading
 *    1 µs before it, so a read at the replacement instant is on the new register.
 * 2. segments: lag() over (partition by meter_id order by ts) pairs each point with the
 *    previous one; usage = max(0, advance), and 0 for the final→new jump (kind 2).
 * 3. each segment is spread over the calendar months (company time zone) it overlaps, in
 *    proportion to time: the head part in its first month, the tail in its last, and whole
 *    months in between (a long gap) via long_sequence. QuestDB has no range join, so the
 *    three parts are a UNION ALL; only segments spanning ≥ 3 months reach the cross join.
 * 4. group by meter and month: usage, covered share of the month, any estimated read.
 */
export interface MonthlyUsageQuery {
  /** Start of the first month (epoch ms, a month start in `zone`). */
  from: number;
  /** End (exclusive): start of the month after the last one. */
  to: number;
  zone: string;
  meterIds?: readonly string[] | undefined;
  /** How far before `from` to look for the read that opens the first month [400 days]. */
  lookbackMs?: number;
  /** How far after `to` to look for the read that closes the last month [400 days]. */
  lookaheadMs?: number;
  /** Longest gap between two reads spread over whole months in between [36 months]. */
  maxGapMonths?: number;
}

const DAY = 86_400_000;

/** The SELECT producing `meter_id, month_start, usage, covered_us, month_us, estimated`. */
export function monthlyUsageSelect(q: MonthlyUsageQuery): string {
  const z = sqlString(q.zone);
  const lo = sqlTimestamp(q.from - (q.lookbackMs ?? 400 * DAY));
  const hi = sqlTimestamp(q.to + (q.lookaheadMs ?? 400 * DAY));
  const meters = q.meterIds && q.meterIds.length > 0 ? ` AND meter_id IN (${q.meterIds.map(sqlString).join(',')})` : '';
  const localMonth = (col: string) => `timestamp_floor('M', to_timezone(${col}, ${z}))`;
  const utc = (local: string) => `to_utc(${local}, ${z})`;
  const us = (col: string) => `cast(${col} as long)`;
  return `
WITH pts AS (
  SELECT meter_id, ts, reading, CASE WHEN estimated THEN 1 ELSE 0 END est, 0 kind
    FROM readings WHERE ts >= ${lo} AND ts < ${hi}${meters}
  UNION ALL
  SELECT meter_id, dateadd('u', -2, ts) ts, final_reading reading, 0 est, 1 kind
    FROM meter_replacements WHERE ts >= ${lo} AND ts < ${hi}${meters}
  UNION ALL
  SELECT meter_id, dateadd('u', -1, ts) ts, new_reading reading, 0 est, 2 kind
    FROM meter_replacements WHERE ts >= ${lo} AND ts < ${hi}${meters}
),
pairs AS (
  SELECT meter_id, ts t1, reading r1, est e1, kind k1,
    lag(ts) OVER (PARTITION BY meter_id ORDER BY ts) t0,
    lag(reading) OVER (PARTITION BY meter_id ORDER BY ts) r0,
    lag(est) OVER (PARTITION BY meter_id ORDER BY ts) e0
  FROM pts
),
seg AS (
  SELECT meter_id, t0, t1,
    CASE WHEN k1 = 2 OR r1 < r0 THEN 0.0 ELSE r1 - r0 END u,
    ${us('t1')} - ${us('t0')} span,
    CASE WHEN e0 + e1 > 0 THEN 1 ELSE 0 END est,
    ${localMonth('t0')} lm0,
    ${localMonth('t1')} lm1
  FROM pairs WHERE t0 IS NOT NULL AND t1 > t0
),
parts AS (
  SELECT meter_id, ${utc('lm0')} month_start,
    u * (least(${us('t1')}, ${us(utc("dateadd('M', 1, lm0)"))}) - ${us('t0')}) / span usage,
    least(${us('t1')}, ${us(utc("dateadd('M', 1, lm0)"))}) - ${us('t0')} covered, est
  FROM seg
  UNION ALL
  SELECT meter_id, ${utc('lm1')} month_start,
    u * (${us('t1')} - ${us(utc('lm1'))}) / span usage,
    ${us('t1')} - ${us(utc('lm1'))} covered, est
  FROM seg WHERE lm1 > lm0
  UNION ALL
  SELECT meter_id, ${utc("dateadd('M', cast(x as int), lm0)")} month_start,
    u * (${us(utc("dateadd('M', cast(x as int) + 1, lm0)"))} - ${us(utc("dateadd('M', cast(x as int), lm0)"))}) / span usage,
    ${us(utc("dateadd('M', cast(x as int) + 1, lm0)"))} - ${us(utc("dateadd('M', cast(x as int), lm0)"))} covered, est
  FROM (SELECT * FROM seg WHERE lm1 > dateadd('M', 1, lm0)) CROSS JOIN long_sequence(${Math.trunc(q.maxGapMonths ?? 36)})
  WHERE dateadd('M', cast(x as int), lm0) < lm1
)
SELECT meter_id, month_start, sum(usage) usage, sum(covered) covered_us,
  ${us(utc(`dateadd('M', 1, ${localMonth('month_start')})`))} - ${us('month_start')} month_us,
  max(est) estimated
FROM parts
WHERE covered > 0 AND month_start >= ${sqlTimestamp(q.from)} AND month_start < ${sqlTimestamp(q.to)}
GROUP BY meter_id, month_start
ORDER BY meter_id, month_start`;
}
