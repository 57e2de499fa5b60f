import { qmaxForSpec } from '../gsize.ts';
import { isValidId } from '../ids.ts';
import { parseTimestamp } from '../time.ts';
import { METER_CATEGORIES, METER_KINDS, METER_STATUSES, type MeterRecord } from '../types.ts';

/**
 * Validation of one registry row (interface.md §2 "Registry fields") from JSON or CSV.
 * Every problem names the row, the field and the value (issue 4 item 1). JSON is strictly
 * typed (a number given as a string is refused, as for readings); CSV has no types, so its
 * cells are parsed from text and an empty cell means "not given".
 */

export interface FieldProblem {
  /** 1-based data row (CSV: the header is row 0, so row 1 is the first line after it). */
  row: number;
  field: string;
  value: string;
  reason: string;
}

/** Fields a row sets. `null` clears a field (JSON only); an absent key keeps the prior value. */
export type MeterChanges = { [K in keyof MeterRecord]?: MeterRecord[K] | null };

export interface MeterInput {
  row: number;
  meterId: string;
  changes: MeterChanges;
  /** When the change takes effect (epoch ms); the caller defaults it to now. */
  effectiveAt: number | undefined;
  changedBy: string | undefined;
}

type Kind = 'id' | 'text' | 'enum' | 'positive' | 'count' | 'timestamp';
interface FieldSpec {
  kind: Kind;
  values?: readonly string[];
}

const TEXT_MAX = 256;

export const REGISTRY_FIELDS: Readonly<Record<keyof MeterRecord, FieldSpec>> = {
  meterId: { kind: 'id' },
  customerId: { kind: 'id' },
  customerName: { kind: 'text' },
  address: { kind: 'text' },
  district: { kind: 'text' },
  route: { kind: 'text' },
  category: { kind: 'enum', values: METER_CATEGORIES },
  kind: { kind: 'enum', values: METER_KINDS },
  spec: { kind: 'text' },
  qmax: { kind: 'positive' },
  status: { kind: 'enum', values: METER_STATUSES },
  parentMeterId: { kind: 'id' },
  households: { kind: 'count' },
  commercialUnits: { kind: 'count' },
  installedAt: { kind: 'timestamp' },
  activatedAt: { kind: 'timestamp' },
  manufacturer: { kind: 'text' },
  model: { kind: 'text' },
  contact: { kind: 'text' },
  propertyCompany: { kind: 'text' },
};

/** Row-level fields that describe the change rather than the meter. */
const CHANGE_FIELDS = ['effectiveAt', 'changedBy'] as const;
export const ACCEPTED_COLUMNS: readonly string[] = [...Object.keys(REGISTRY_FIELDS), ...CHANGE_FIELDS];

type Parsed = { ok: true; value: string | number | null } | { ok: false; reason: string };

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function parseNumber(raw: unknown, fromText: boolean): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (fromText && typeof raw === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim())) return Number(raw.trim());
  return undefined;
}

function parseField(spec: FieldSpec, raw: unknown, fromText: boolean): Parsed {
  if (raw === null) return { ok: true, value: null };
  switch (spec.kind) {
    case 'id':
      return isValidId(raw) ? { ok: true, value: raw } : { ok: false, reason: 'expected 1–64 letters, digits, -, _ or .' };
    case 'text':
      if (typeof raw !== 'string') return { ok: false, reason: 'expected text' };
      if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: 'text must not contain line breaks or control characters' };
      if (raw.length > TEXT_MAX) return { ok: false, reason: `text longer than ${TEXT_MAX} characters` };
      return { ok: true, value: raw.trim() };
    case 'enum':
      return typeof raw === 'string' && spec.values?.includes(raw) ? { ok: true, value: raw } : { ok: false, reason: `expected one of ${spec.values?.join(', ')}` };
    case 'positive': {
      const n = parseNumber(raw, fromText);
      return n !== undefined && n > 0 ? { ok: true, value: n } : { ok: false, reason: 'expected a number > 0' };
    }
    case 'count': {
      const n = parseNumber(raw, fromText);
      return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 1_000_000 ? { ok: true, value: n } : { ok: false, reason: 'expected a whole number ≥ 0' };
    }
    case 'timestamp': {
      const t = parseTimestamp(fromText && typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);
      return t !== undefined ? { ok: true, value: t } : { ok: false, reason: 'expected an ISO 8601 timestamp with offset, or epoch milliseconds' };
    }
  }
}

/**
 * Validates one row. `fromText` is true for CSV cells. Returns the input or every problem
 * in the row (so one response can list them all).
 */
export function validateMeterRow(raw: unknown, row: number, fromText: boolean): { input: MeterInput } | { problems: FieldProblem[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { problems: [{ row, field: '(row)', value: show(raw), reason: 'expected an object with registry fields' }] };
  }
  const problems: FieldProblem[] = [];
  const changes: Record<string, string | number | null> = {};
  let effectiveAt: number | undefined;
  let changedBy: string | undefined;
  for (const [field, value] of Object.entries(raw as Record<string, unknown>)) {
    if (fromText && (value === '' || value === undefined)) continue;
    if (field === 'effectiveAt') {
      const t = parseField({ kind: 'timestamp' }, value, fromText);
      if (t.ok && typeof t.value === 'number') effectiveAt = t.value;
      else problems.push({ row, field, value: show(value), reason: t.ok ? 'must not be null' : t.reason });
      continue;
    }
    if (field === 'changedBy') {
      const t = parseField({ kind: 'text' }, value, fromText);
      if (t.ok && typeof t.value === 'string') changedBy = t.value;
      else problems.push({ row, field, value: show(value), reason: t.ok ? 'must not be null' : t.reason });
      continue;
    }
    const spec = REGISTRY_FIELDS[field as keyof MeterRecord];
    if (!spec) {
      problems.push({ row, field, value: show(value), reason: `unknown field; accepted: ${ACCEPTED_COLUMNS.join(', ')}` });
      continue;
    }
    const parsed = parseField(spec, value, fromText);
    if (parsed.ok) changes[field] = parsed.value;
    else problems.push({ row, field, value: show(value), reason: parsed.reason });
  }
  const meterId = changes.meterId;
  if (typeof meterId !== 'string') {
    if (!problems.some((p) => p.field === 'meterId')) problems.push({ row, field: 'meterId', value: show(meterId ?? ''), reason: 'required' });
  } else if (changes.parentMeterId === meterId) {
    problems.push({ row, field: 'parentMeterId', value: meterId, reason: 'a meter cannot be its own parent' });
  }
  if (typeof changes.spec === 'string' && qmaxForSpec(changes.spec) !== undefined) changes.spec = changes.spec.toUpperCase();
  if (problems.length > 0) return { problems };
  return { input: { row, meterId: meterId as string, changes: changes as MeterChanges, effectiveAt, changedBy } };
}

/**
 * The full record after applying `changes` to `prior` (upsert: absent keeps, null clears).
 * Qmax follows the spec when no explicit qmax is given (issue 4 item 2, core/gsize.ts).
 */
export function applyChanges(prior: MeterRecord | undefined, meterId: string, changes: MeterChanges): MeterRecord {
  const next: Record<string, unknown> = { ...(prior ?? {}), meterId };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  const record = next as unknown as MeterRecord;
  const specChanged = changes.spec !== undefined && changes.spec !== prior?.spec;
  if (changes.qmax === undefined && (specChanged || record.qmax === undefined)) {
    const derived = qmaxForSpec(record.spec);
    if (derived !== undefined) record.qmax = derived;
    else if (specChanged) delete (next as { qmax?: number }).qmax;
  }
  return record;
}
