import { MeterwatchError, ErrorCodes } from '../core/errors.ts';

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

// ILP escaping: symbol values escape comma, equals and space; strings escape quote and
// backslash. Line breaks cannot be carried safely in either, so the edge validation refuses them.
function escapeSymbol(v: string): string {
  return v.replace(/[ ,=\\]/g, (c) => `\\${c}`);
}

function escapeString(v: string): string {
  return v.replace(/["\\]/g, (c) => `\\${c}`);
}

function fieldText(f: IlpField): string {
  switch (f.kind) {
    case 'double':
      // A trailing digit keeps integers typed as doubles ("5" alone would be rejected).
      return Number.isInteger(f.value) ? `${f.value}.0` : String(f.value);
    case 'int':
      return `${Math.trunc(f.value)}i`;
    case 'bool':
      return f.value ? 't' : 'f';
    case 'string':
      return `"${escapeString(f.value)}"`;
    case 'timestamp':
      return `${Math.trunc(f.value)}000t`;
  }
}

export function ilpLine(table: string, row: IlpRow): string {
  let line = table;
  for (const [k, v] of Object.entries(row.symbols)) {
    if (v !== undefined && v !== '') line += `,${k}=${escapeSymbol(v)}`;
  }
  const fields: string[] = [];
  for (const [k, f] of Object.entries(row.fields)) {
    if (f !== undefined) fields.push(`${k}=${fieldText(f)}`);
  }
  if (fields.length === 0) throw new Error(`ILP row for ${table} has no fields`);
  // Designated timestamp in nanoseconds (the /write default precision).
  return `${line} ${fields.join(',')} ${Math.trunc(row.ts)}000000\n`;
}

export function hasLineBreak(value: string): boolean {
  return /[\r\n]/.test(value);
}

/** POSTs ILP text; resolves once QuestDB has committed it to the WAL (not yet visible to queries). */
export async function writeIlp(httpUrl: string, body: string): Promise<void> {
  if (body.length === 0) return;
  let res: Response;
  try {
    res = await fetch(`${httpUrl.replace(/\/$/, '')}/write`, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  } catch (err) {
    throw new MeterwatchError(ErrorCodes.STORAGE, `QuestDB /write unreachable: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok) {
    const text = await res.text();
    throw new MeterwatchError(ErrorCodes.STORAGE, `QuestDB /write answered ${res.status}: ${text.slice(0, 500)}`);
  }
}
