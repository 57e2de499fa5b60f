import { isValidId } from '../../core/ids.ts';
import { parseTimestamp } from '../../core/time.ts';

/**
 * Field checks shared by every decoder (interface.md §1 "Outcome of every record"). Each
 * returns the parsed value or a `FieldProblem` that names the field and the offending
 * value, so a rejected record always says exactly what was wrong.
 */
export class FieldProblem {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {}

  get shownValue(): string {
    return showValue(this.value);
  }

  get reason(): string {
    return this.value === undefined ? `${this.field}: missing, expected ${this.expected}` : `${this.field}: expected ${this.expected}, got ${this.shownValue}`;
  }
}

/** A value as it appeared in the JSON, with its type when that is the point ("100.5" is a string). */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} (string)`;
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

export function requireId(field: string, value: unknown): string | FieldProblem {
  return isValidId(value) ? value : new FieldProblem(field, value, 'an id of 1–64 letters, digits, "-", "_" or "."');
}

export function optionalId(field: string, value: unknown): string | undefined | FieldProblem {
  return value === undefined || value === null ? undefined : requireId(field, value);
}

/** Strict numbers: a number given as a string, NaN or Infinity is rejected (interface.md §1). */
export function requireNumber(field: string, value: unknown, opts: { min?: number } = {}): number | FieldProblem {
  const expected = opts.min === undefined ? 'a finite number' : `a finite number ≥ ${opts.min}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return new FieldProblem(field, value, expected);
  if (opts.min !== undefined && value < opts.min) return new FieldProblem(field, value, expected);
  return value;
}

export function optionalNumber(field: string, value: unknown, opts: { min?: number } = {}): number | undefined | FieldProblem {
  return value === undefined || value === null ? undefined : requireNumber(field, value, opts);
}

/**
 * Event time: ISO 8601 with offset or epoch ms, not before 1970, not later than the server
 * clock plus the tolerance (interface.md "Time", §1 [1 day]).
 */
export function requireTimestamp(field: string, value: unknown, now: number, futureToleranceMs: number): number | FieldProblem {
  if (value === undefined || value === null) return new FieldProblem(field, value, 'a timestamp (ISO 8601 with offset, or epoch milliseconds)');
  const ms = parseTimestamp(value);
  if (ms === undefined || ms < 0) return new FieldProblem(field, value, 'a timestamp (ISO 8601 with offset, or epoch milliseconds)');
  if (ms > now + futureToleranceMs) {
    return new FieldProblem(field, value, `a time no later than ${new Date(now + futureToleranceMs).toISOString()} (server clock plus ${Math.round(futureToleranceMs / 60_000)} min)`);
  }
  return ms;
}

export function optionalEnum<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : new FieldProblem(field, value, `one of ${allowed.join(', ')}`);
}

export function optionalBoolean(field: string, value: unknown): boolean | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'boolean' ? value : new FieldProblem(field, value, 'true or false');
}

export function optionalText(field: string, value: unknown, maxLength = 1000): string | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' && value.length <= maxLength ? value : new FieldProblem(field, value, `text of at most ${maxLength} characters`);
}

export function optionalEnumList<T extends string>(field: string, value: unknown, allowed: readonly T[]): T[] | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return new FieldProblem(field, value, `a list of ${allowed.join(', ')}`);
  for (const item of value) {
    if (typeof item !== 'string' || !(allowed as readonly string[]).includes(item)) return new FieldProblem(field, item, `a list of ${allowed.join(', ')}`);
  }
  return [...new Set(value as T[])];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
