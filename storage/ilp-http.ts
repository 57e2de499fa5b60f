import { Agent } from 'node:http';
import { requestText } from './http-text.ts';
import { MeterwatchError, ErrorCodes } from '../core/errors.ts';
import { escapeSymbol, quoteString } from './ilp/line-protocol.ts';

/**
 * A minimal InfluxDB line protocol (ILP) writer over QuestDB's HTTP `/write` endpoint.
 * One request carrying rows of ONE table is one transaction (architecture.md, "Hard-won
 * facts"), which is what makes a registry batch all-or-nothing. Text is serialised directly
 * (cheaper than the official Sender per row, see architecture.md).
 */

export type IlpField =
  | { kind: 'double'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  /** A TIMESTAMP column other than the designated one, epoch milliseconds. */
  | { kind: 'timestamp'; value: number };

export interface IlpRow {
  symbols: Record<string, string | undefined>;
  fields: Record<string, IlpField | undefined>;
  /** Designated timestamp, epoch milliseconds. */
  ts: number;
}

// Escaping is the ingest path's (storage/ilp/line-protocol.ts): one set of rules for every ILP writer.
export { escapeSymbol, quoteString };

/** A double as ILP text: a trailing digit keeps integers typed as doubles ("5" alone would be rejected). */
export function ilpDouble(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

function fieldText(f: IlpField): string {
  switch (f.kind) {
    case 'double':
      return ilpDouble(f.value);
    case 'int':
      return `${Math.trunc(f.value)}i`;
    case 'bool':
      return f.value ? 't' : 'f';
    case 'string':
      return quoteString(f.value);
    case 'timestamp':
      return `${Math.trunc(f.value)}000t`;
  }
}

export function ilpLine(table: string, row: IlpRow): string {
  let line = table;
  for (const k in row.symbols) {
    const v = row.symbols[k];
    if (v !== undefined && v !== '') line += `,${k}=${escapeSymbol(v)}`;
  }
  let fields = '';
  for (const k in row.fields) {
    const f = row.fields[k];
    if (f !== undefined) fields += `${fields === '' ? '' : ','}${k}=${fieldText(f)}`;
  }
  if (fields === '') throw new Error(`ILP row for ${table} has no fields`);
  // Designated timestamp in nanoseconds (the /write default precision).
  return `${line} ${fields} ${Math.trunc(row.ts)}000000\n`;
}

export function hasLineBreak(value: string): boolean {
  return /[\r\n]/.test(value);
}

/** Kept-alive connections to QuestDB's /write. */
const agent = new Agent({ keepAlive: true, maxSockets: 8, timeout: 4_000 }); // idle sockets close long before QuestDB's own timeout

/** POSTs ILP text; resolves once QuestDB has committed it to the WAL (not yet visible to queries). */
export async function writeIlp(httpUrl: string, body: string | Uint8Array): Promise<void> {
  if (body.length === 0) return;
  let res: { status: number; text: string };
  try {
    res = await requestText(`${httpUrl.replace(/\/$/, '')}/write`, { method: 'POST', body, agent, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  } catch (err) {
    throw new MeterwatchError(ErrorCodes.STORAGE, `QuestDB /write unreachable: ${(err as Error).message}`, { cause: err });
  }
  if (res.status < 200 || res.status >= 300) throw new MeterwatchError(ErrorCodes.STORAGE, `QuestDB /write answered ${res.status}: ${res.text.slice(0, 500)}`);
}
