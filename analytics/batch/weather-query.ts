import { DateTime } from 'luxon';
import { epochMs, sqlString, sqlTimestamp, type SqlClient } from '../../storage/sql.ts';
import { CITY_WIDE, type HddByMonth } from '../rules/context.ts';

/**
 * A month counts as covered when temperatures exist for this share of its days; its HDD
 * is then scaled up to the whole month (a missing day is assumed as cold as the others).
 */
export const MIN_HDD_COVERAGE = 0.9;

interface HddRow {
  district: string | null;
  ts: number;
  hdd: number;
  days: number;
  [k: string]: unknown;
}

/**
 * Heating degree days per district and calendar month of the company time zone, for the
 * months that ended by `asOf` (issue 6 item 2; docs/weather.md): HDD = Σ max(0, baseC −
 * daily mean °C), summed in QuestDB per month (weather_daily, migration 060). The city-wide
 * series (no district) comes under CITY_WIDE. Months with too few days are left out, so a
 * rule can tell "no temperature for this month" from "a mild month". Empty map: no series.
 */
export async function loadMonthlyHdd(sql: SqlClient, asOf: number, zone: string, baseC: number): Promise<HddByMonth> {
  const base = Number(baseC).toFixed(3);
  const rows = await sql.query<HddRow>(
    `SELECT district, ${epochMs('ts')} ts, hdd, days FROM (
       SELECT district, ts, sum(CASE WHEN mean_c < ${base} THEN ${base} - mean_c ELSE 0.0 END) hdd, count() days
       FROM weather_daily WHERE ts < ${sqlTimestamp(asOf)}
       SAMPLE BY 1M ALIGN TO CALENDAR TIME ZONE ${sqlString(zone)}
     )`,
  );
  const out = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const start = Number(r.ts);
    const end = DateTime.fromMillis(start, { zone }).plus({ months: 1 }).toMillis();
    if (end > asOf) continue;
    const daysInMonth = DateTime.fromMillis(start, { zone }).daysInMonth ?? 30;
    const days = Number(r.days);
    if (days < MIN_HDD_COVERAGE * daysInMonth) continue;
    const key = r.district ?? CITY_WIDE;
    const months = out.get(key) ?? new Map<number, number>();
    months.set(start, (Number(r.hdd) * daysInMonth) / Math.min(days, daysInMonth));
    out.set(key, months);
  }
  return out;
}
