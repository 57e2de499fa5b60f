import { parse } from 'csv-parse/sync';

/**
 * Turns an uploaded CSV (UTF-8, with or without BOM, header row first) into rows of text
 * cells keyed by the header. Invalid UTF-8 is refused rather than silently replaced, so
 * Chinese names and addresses are stored exactly as sent (issue 4 item 1).
 */
export interface CsvTable {
  header: string[];
  rows: Record<string, string>[];
}

export class CsvFormatError extends Error {}

export function decodeUtf8(body: Buffer | string): string {
  if (typeof body === 'string') return body.replace(/^\uFEFF/, '');
  try {
    // fatal: a byte sequence that is not UTF-8 (e.g. a GBK export) is an error, not U+FFFD.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw new CsvFormatError('body is not valid UTF-8 (save the file as UTF-8; GBK/GB18030 exports must be converted)');
  }
}

export function parseCsvTable(text: string): CsvTable {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { bom: true, skip_empty_lines: true, relax_column_count: false, trim: false });
  } catch (err) {
    throw new CsvFormatError(`malformed CSV: ${(err as Error).message}`);
  }
  const [header, ...data] = records;
  if (!header || header.length === 0) throw new CsvFormatError('CSV has no header row');
  const names = header.map((h) => h.trim());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new CsvFormatError(`CSV header repeats column "${dup}"`);
  const rows = data.map((cells) => {
    const row: Record<string, string> = {};
    names.forEach((name, i) => (row[name] = (cells[i] ?? '').trim()));
    return row;
  });
  return { header: names, rows };
}
