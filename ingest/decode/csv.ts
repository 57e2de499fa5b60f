import type { Reading } from '../../core/types.ts';
import { FieldProblem } from '../validate/fields.ts';
import { validateHandheldHeader, validateReading, type ValidationContext } from '../validate/reading.ts';
import { payloadRejection, rejectionOf, type Decoded, type Rejection } from './decoded.ts';

/** Header of a handheld CSV upload (interface.md §2, POST /api/handheld/uploads as text/csv). */
export const HANDHELD_CSV_COLUMNS = ['meterId', 'ts', 'reading', 'estimated', 'estimateReason', 'note'] as const;

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const DECIMAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * CSV cells are text; turn them into the JSON types the validator expects, but only where
 * the text is unambiguous: "12.5" becomes 12.5, "abc" or "NaN" stays a string and is then
 * rejected with its value.
 */
function cellsToRecord(cells: readonly string[]): Record<string, unknown> {
  const [meterId, ts, reading, estimated, estimateReason, note] = cells.map((c) => c.trim());
  return {
    meterId,
    ts: ts !== undefined && /^\d+$/.test(ts) ? Number(ts) : ts === '' ? undefined : ts,
    reading: reading !== undefined && DECIMAL.test(reading) ? Number(reading) : reading === '' ? undefined : reading,
    estimated: estimated === 'true' ? true : estimated === 'false' || estimated === '' || estimated === undefined ? undefined : estimated,
    estimateReason: estimateReason === '' ? undefined : estimateReason,
    note: note === '' ? undefined : note,
  };
}

export function decodeHandheldCsv(text: string, query: { readerId?: unknown; route?: unknown }, ctx: ValidationContext): Decoded<Reading> {
  const header = validateHandheldHeader(query);
  if (header instanceof FieldProblem) return { records: [], rejections: [rejectionOf(header, undefined, text)] };
  const rows = parseCsv(text);
  const head = rows[0]?.map((h) => h.trim());
  if (!head || HANDHELD_CSV_COLUMNS.some((c, i) => head[i] !== c)) {
    return { records: [], rejections: [payloadRejection(`header: expected "${HANDHELD_CSV_COLUMNS.join(',')}", got "${(head ?? []).join(',')}"`, text, 'header')] };
  }
  const out: { records: Reading[]; rejections: Rejection[] } = { records: [], rejections: [] };
  rows.slice(1).forEach((cells, index) => {
    const line = cells.join(',');
    if (cells.length !== HANDHELD_CSV_COLUMNS.length) {
      const p = new FieldProblem('row', line, `${HANDHELD_CSV_COLUMNS.length} columns, found ${cells.length}`);
      out.rejections.push({ ...rejectionOf(p, index, line), meterId: cells[0] });
      return;
    }
    const r = validateReading(cellsToRecord(cells), { source: 'handheld', ...header }, ctx);
    if (r instanceof FieldProblem) out.rejections.push({ ...rejectionOf(r, index, line), meterId: cells[0]?.slice(0, 64) });
    else out.records.push(r);
  });
  return out;
}
