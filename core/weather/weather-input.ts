import { DateTime } from 'luxon';
import type { FieldProblem } from '../registry/meter-input.ts';

/**
 * One day of a temperature series (issue 6 item 2; docs/weather.md): the daily mean
 * outdoor temperature of a calendar day in the company time zone, for one district or —
 * without `district` — the whole city.
 */
export interface WeatherDay {
  /** `YYYY-MM-DD`, a calendar day in the company time zone */
  date: string;
  /** that day's local midnight, epoch ms (the row's designated timestamp) */
  ts: number;
  /** daily mean temperature, °C */
  meanC: number;
  /** undefined: the city-wide series */
  district?: string | undefined;
  /** where the figures come from (a station, a file), free text */
  source?: string | undefined;
}

export const WEATHER_COLUMNS: readonly string[] = ['date', 'meanC', 'district', 'source'];

/** Colder than any inhabited place, hotter than any recorded day: a unit or typing error. */
const MIN_C = -70;
const MAX_C = 60;
const TEXT_MAX = 100;

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function parseDate(raw: unknown, zone: string): { date: string; ts: number } | string {
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw.trim())) return 'expected a calendar day written YYYY-MM-DD';
  const dt = DateTime.fromFormat(raw.trim(), 'yyyy-LL-dd', { zone });
  if (!dt.isValid) return 'not a day of the calendar';
  return { date: raw.trim(), ts: dt.toMillis() };
}

function parseCelsius(raw: unknown, fromText: boolean): number | string {
  // Strict types (interface.md §1): in JSON a number given as a string is refused.
  let n: number | undefined;
  if (typeof raw === 'number') n = raw;
  else if (fromText && typeof raw === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw.trim())) n = Number(raw.trim());
  if (n === undefined || !Number.isFinite(n)) return fromText ? 'expected a number (°C)' : 'expected a JSON number (°C)';
  if (n < MIN_C || n > MAX_C) return `outside ${MIN_C}..${MAX_C} °C (a daily mean in degrees Celsius)`;
  return n;
}

function parseText(raw: unknown): string | undefined | { problem: string } {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') return { problem: 'expected text' };
  const v = raw.trim();
  if (v === '') return undefined;
  // ILP symbols and strings cannot carry line breaks (storage/ilp-http.ts).
  if (/[\u0000-\u001f\u007f]/.test(v)) return { problem: 'text must not contain line breaks or control characters' };
  if (v.length > TEXT_MAX) return { problem: `text longer than ${TEXT_MAX} characters` };
  return v;
}

/** Validates one row (`fromText`: CSV cells); every problem of the row, each naming field and value. */
export function validateWeatherRow(raw: unknown, row: number, zone: string, fromText: boolean): { day: WeatherDay } | { problems: FieldProblem[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { problems: [{ row, field: '(row)', value: show(raw), reason: 'expected an object with date, meanC and optional district, source' }] };
  }
  const r = raw as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const field of Object.keys(r)) {
    if (!WEATHER_COLUMNS.includes(field)) problems.push({ row, field, value: show(r[field]), reason: `unknown field; accepted: ${WEATHER_COLUMNS.join(', ')}` });
  }
  const date = parseDate(r.date, zone);
  if (typeof date === 'string') problems.push({ row, field: 'date', value: show(r.date ?? null), reason: date });
  const meanC = parseCelsius(r.meanC, fromText);
  if (typeof meanC === 'string') problems.push({ row, field: 'meanC', value: show(r.meanC ?? null), reason: meanC });
  const district = parseText(r.district);
  if (typeof district === 'object') problems.push({ row, field: 'district', value: show(r.district), reason: district.problem });
  const source = parseText(r.source);
  if (typeof source === 'object') problems.push({ row, field: 'source', value: show(r.source), reason: source.problem });
  if (problems.length > 0 || typeof date === 'string' || typeof meanC === 'string' || typeof district === 'object' || typeof source === 'object') return { problems };
  return { day: { date: date.date, ts: date.ts, meanC, district, source } };
}

/**
 * Validates a whole upload: good days, and every problem with its row. The same day and
 * district twice in one upload is refused on the later row (which value is meant?).
 */
export function validateWeatherRows(rows: readonly unknown[], zone: string, fromText: boolean): { days: WeatherDay[]; problems: FieldProblem[] } {
  const days: WeatherDay[] = [];
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  rows.forEach((raw, i) => {
    const result = validateWeatherRow(raw, i + 1, zone, fromText);
    if ('problems' in result) return void problems.push(...result.problems);
    const key = `${result.day.district ?? ''}|${result.day.date}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ row: i + 1, field: 'date', value: result.day.date, reason: `day repeated for ${result.day.district ?? 'the city-wide series'} (first on row ${first})` });
      return;
    }
    seen.set(key, i + 1);
    days.push(result.day);
  });
  return { days, problems };
}

/** Heating degree days of one day: how far its mean stays below the base temperature. */
export function heatingDegrees(meanC: number, baseC: number): number {
  return Math.max(0, baseC - meanC);
}
