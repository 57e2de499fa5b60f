import { Bool, Float64, List, Field, TimestampMillisecond, Utf8, Table, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { formatInZone } from '../../core/time.ts';
import type { StoredReading } from '../../storage/readings/meter-readings.ts';

/** Readings for analysts (interface.md §2 GET …/readings, format=csv|arrow). */

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function readingsCsv(meterId: string, items: readonly StoredReading[], zone: string): string {
  const lines = ['meterId,ts,reading,flow,balance,valve,flags,source,estimated'];
  for (const r of items) {
    lines.push(
      [meterId, formatInZone(r.ts, zone), r.reading, r.flow, r.balance, r.valve, r.flags.join(';'), r.source, r.estimated].map(csvCell).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Arrow IPC stream: typed columns (timestamp in ms UTC, doubles, flags as a list of strings). */
export function readingsArrow(meterId: string, items: readonly StoredReading[]): Uint8Array {
  const columns: Record<string, Vector> = {
    meterId: vectorFromArray(items.map(() => meterId), new Utf8()),
    ts: vectorFromArray(items.map((r) => r.ts), new TimestampMillisecond()),
    reading: vectorFromArray(items.map((r) => r.reading), new Float64()),
    flow: vectorFromArray(items.map((r) => r.flow), new Float64()),
    balance: vectorFromArray(items.map((r) => r.balance), new Float64()),
    valve: vectorFromArray(items.map((r) => r.valve), new Utf8()),
    flags: vectorFromArray(items.map((r) => r.flags), new List(new Field('item', new Utf8(), true))),
    source: vectorFromArray(items.map((r) => r.source), new Utf8()),
    estimated: vectorFromArray(items.map((r) => r.estimated), new Bool()),
  };
  return tableToIPC(new Table(columns), 'stream');
}
