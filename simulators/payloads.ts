import { DateTime } from 'luxon';
import { formatInZone } from '../core/time.ts';
import type { MeterRecord } from '../core/types.ts';
import type { SimRoute } from './fleet-types.ts';
import type { SimReading } from './outgoing.ts';

/**
 * Wire formats of interface.md §1–§2, built from simulated values. Meter messages carry ISO
 * timestamps with the company offset; handheld records carry epoch milliseconds (both are
 * valid timestamps, and the mix exercises both parsers).
 */
export interface MeterPayload {
  ts: string;
  reading: number;
  flow?: number;
  battery?: number;
  balance?: number;
  valve?: 'open' | 'closed';
  flags?: string[];
}

export function meterPayload(r: SimReading, zone: string): MeterPayload {
  const p: MeterPayload = { ts: fastIso(r.ts, zone), reading: r.reading };
  if (r.flow !== undefined) p.flow = r.flow;
  if (r.battery !== undefined) p.battery = r.battery;
  if (r.balance !== undefined) p.balance = r.balance;
  if (r.valve !== undefined) p.valve = r.valve;
  if (r.flags?.length) p.flags = [...r.flags];
  return p;
}

/** `POST /api/readings` element: the MQTT record plus its meterId. */
export function httpReading(r: SimReading, zone: string): MeterPayload & { meterId: string } {
  return { meterId: r.meterId, ...meterPayload(r, zone) };
}

export interface HandheldRecord {
  meterId: string;
  ts: number;
  reading: number;
  estimated: boolean;
  estimateReason: string | null;
  note: string;
}

export function handheldRecord(r: SimReading): HandheldRecord {
  return { meterId: r.meterId, ts: r.ts, reading: r.reading, estimated: r.estimated ?? false, estimateReason: r.estimateReason ?? null, note: r.note ?? '' };
}

/** The handheld upload body (MQTT `handheld/{deviceId}/uploads` and `POST /api/handheld/uploads`). */
export function handheldUpload(route: SimRoute, records: SimReading[]): { readerId: string; route: string; records: HandheldRecord[] } {
  return { readerId: route.readerId, route: route.id, records: records.map(handheldRecord) };
}

/** The CSV form of a handheld upload: header `meterId,ts,reading,estimated,estimateReason,note`. */
export function handheldCsv(records: SimReading[]): string {
  const lines = ['meterId,ts,reading,estimated,estimateReason,note'];
  for (const r of records.map(handheldRecord)) {
    lines.push([r.meterId, r.ts, r.reading, r.estimated, r.estimateReason ?? '', csvField(r.note)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** A registry row for `POST /api/meters` (JSON), timestamps as ISO strings. */
export function registryRow(m: MeterRecord, zone: string): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue;
    row[k] = (k === 'installedAt' || k === 'activatedAt') && typeof v === 'number' ? formatInZone(v, zone) : v;
  }
  return row;
}

const offsetCache = new Map<string, number>();
const universal = new Map<string, boolean>();
const isUniversal = (zone: string): boolean => {
  let u = universal.get(zone);
  if (u === undefined) universal.set(zone, (u = DateTime.fromMillis(0, { zone }).zone.isUniversal));
  return u;
};

/**
 * `formatInZone` without luxon on the hot path: the zone's UTC offset is looked up once per
 * hour and cached (a back-fill formats hundreds of millions of timestamps). Same output.
 */
export function fastIso(ms: number, zone: string): string {
  const hour = Math.floor(ms / 3_600_000);
  const key = `${zone}|${hour}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    if (offsetCache.size > 100_000) offsetCache.clear();
    offset = DateTime.fromMillis(hour * 3_600_000, { zone }).offset;
    offsetCache.set(key, offset);
  }
  const local = new Date(ms + offset * 60_000).toISOString();
  const body = ms % 1000 === 0 ? local.slice(0, 19) : local.slice(0, 23);
  // luxon writes `Z` for a fixed zero-offset zone (UTC) and `+00:00` for a zone that is at zero now
  if (offset === 0 && isUniversal(zone)) return `${body}Z`;
  const abs = Math.abs(offset);
  return `${body}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
