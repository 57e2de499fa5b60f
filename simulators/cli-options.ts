import { ErrorCodes, MeterwatchError } from '../core/errors.ts';
import { parseTimestamp } from '../core/time.ts';

/** Parsers for `meterwatch simulate` options: each error names the option and the value. */

function invalid(option: string, value: string, expected: string): MeterwatchError {
  return new MeterwatchError(ErrorCodes.VALIDATION, `${option}: expected ${expected}, got "${value}"`);
}

export function parseCount(option: string, value: string, min = 1): number {
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) throw invalid(option, value, `an integer ≥ ${min}`);
  return n;
}

export function parsePositive(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw invalid(option, value, 'a positive number');
  return n;
}

/** `2%` or `0.02` → 0.02 */
export function parseShare(option: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(n >= 0 && n <= 1)) throw invalid(option, value, 'a share such as 2% or 0.02 (0–100 %)');
  return n;
}

/** `30s`, `10m`, `2h`, `1d` or plain milliseconds */
export function parseDuration(option: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw invalid(option, value, 'a duration such as 30s, 10m, 2h or 1d');
  const factor: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };
  return Math.round(Number(m[1]) * (factor[m[2] ?? 'ms'] ?? 1));
}

export function parseUrl(option: string, value: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(option, value, `a URL (${protocols.join(', ')})`);
  }
  if (!protocols.includes(url.protocol)) throw invalid(option, value, `a URL with scheme ${protocols.join(' or ')}`);
  return value;
}

export function parseChoice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw invalid(option, value, `one of ${choices.join(', ')}`);
  return value as T;
}

export function parseInstant(option: string, value: string): number {
  const asNumber = /^\d+$/.test(value) ? Number(value) : value;
  const ms = parseTimestamp(asNumber);
  if (ms === undefined) throw invalid(option, value, 'an ISO 8601 timestamp with offset or epoch milliseconds');
  return ms;
}
