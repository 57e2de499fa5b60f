import { parseTimestamp } from '../../core/time.ts';

/** A 400 answer naming the parameter and the value (house rule: clear errors at the edge). */
export class BadParam extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${field}=${value}: ${reason}`);
  }

  body(): { error: string; field: string; value: string; reason: string } {
    return { error: 'MW_ERR_VALIDATION', field: this.field, value: this.value, reason: this.reason };
  }
}

/** A timestamp query parameter: ISO 8601 with offset, or epoch milliseconds as digits. */
export function timeParam(query: Record<string, unknown>, name: string, fallback: number): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  const text = String(raw);
  const t = parseTimestamp(/^-?\d+$/.test(text) ? Number(text) : text);
  if (t === undefined) throw new BadParam(name, text, 'expected an ISO 8601 timestamp with offset, or epoch milliseconds');
  return t;
}

export function enumParam<T extends string>(query: Record<string, unknown>, name: string, values: readonly T[], fallback: T): T {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  if (values.includes(String(raw) as T)) return String(raw) as T;
  throw new BadParam(name, String(raw), `expected one of ${values.join(', ')}`);
}

export function rangeParams(query: Record<string, unknown>, defaultFrom: (to: number) => number): { from: number; to: number } {
  const to = timeParam(query, 'to', Date.now());
  const from = timeParam(query, 'from', defaultFrom(to));
  if (from >= to) throw new BadParam('from', String(query.from ?? from), 'must be before `to`');
  return { from, to };
}
