import { DateTime } from 'luxon';

/**
 * Timestamps (interface.md "Time"): an ISO 8601 string that carries an offset or `Z`, or
 * epoch milliseconds. Returns epoch ms, or undefined when the value is not one of those.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && Number.isInteger(value) ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  // An offset is required: a bare local time is ambiguous across time zones.
  // A bare date ("2026-03-01") must not pass either: its "-01" looks like an offset.
  if (!/T.*(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.trim())) return undefined;
  const dt = DateTime.fromISO(value.trim(), { setZone: true });
  return dt.isValid ? dt.toMillis() : undefined;
}

/** ISO 8601 with the offset of the given zone, e.g. `2026-11-01T00:00:00.000+08:00`. */
export function formatInZone(ms: number, zone: string): string {
  // A batch pass formats millions of times: luxon once per zone and quarter hour (every
  // zone's offset changes on a quarter-hour boundary), plain Date arithmetic for the rest.
  const bucket = Math.floor(ms / QUARTER_HOUR);
  let byBucket = offsetCache.get(zone);
  if (!byBucket) offsetCache.set(zone, (byBucket = new Map()));
  let offset = byBucket.get(bucket);
  if (offset === undefined) {
    const iso = luxonIso(bucket * QUARTER_HOUR, zone);
    const suffix = /(Z|[+-]\d{2}:\d{2})$/.exec(iso)?.[1];
    const minutes = DateTime.fromMillis(bucket * QUARTER_HOUR, { zone }).offset;
    if (suffix === undefined || !Number.isFinite(minutes)) return luxonIso(ms, zone);
    if (byBucket.size > 200_000) byBucket.clear();
    offset = { minutes, suffix };
    byBucket.set(bucket, offset);
  }
  const local = ms + offset.minutes * 60_000;
  if (local < 0 || local >= YEAR_10000) return luxonIso(ms, zone);
  const text = new Date(local).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const base = text.endsWith('.000Z') ? text.slice(0, -5) : text.slice(0, -1);
  return base + offset.suffix;
}

const QUARTER_HOUR = 900_000;
const YEAR_10000 = 253_402_300_800_000;
const offsetCache = new Map<string, Map<number, { minutes: number; suffix: string }>>();

function luxonIso(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
}

/** Start of the calendar month (in `zone`) that contains `ms`. */
export function monthStart(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).startOf('month').toMillis();
}

/** Start of the calendar month `n` months after the month starting at `start`. */
export function addMonths(start: number, n: number, zone: string): number {
  return DateTime.fromMillis(start, { zone }).plus({ months: n }).toMillis();
}

/** Start of the calendar day (in `zone`) that contains `ms`. */
export function dayStart(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).startOf('day').toMillis();
}

/** `YYYY-MM` of the month containing `ms` in `zone`. */
export function monthLabel(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL');
}

/** Start of the month written `YYYY-MM`, in `zone`; undefined when malformed. */
export function parseMonth(label: string, zone: string): number | undefined {
  if (!/^\d{4}-\d{2}$/.test(label)) return undefined;
  const dt = DateTime.fromFormat(label, 'yyyy-LL', { zone });
  return dt.isValid ? dt.toMillis() : undefined;
}

export function isValidTimeZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}
