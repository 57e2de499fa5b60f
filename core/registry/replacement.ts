import { parseTimestamp } from '../time.ts';
import type { FieldProblem } from './meter-input.ts';

/**
 * A meter replacement (domain.md §3): the old register ends at `finalReading`, the new one
 * starts at `newReading` at `ts`. Usage counts old-register use up to `ts` and new-register
 * use after it, never the jump between them.
 */
export interface MeterReplacement {
  meterId: string;
  ts: number;
  finalReading: number;
  newReading: number;
  newSpec?: string | undefined;
  reason?: string | undefined;
  recordedAt?: number | undefined;
  recordedBy?: string | undefined;
}

const ALLOWED = ['ts', 'finalReading', 'newReading', 'newSpec', 'reason'];

/** Validates the body of `POST /api/meters/{id}/replacements`. */
export function validateReplacement(meterId: string, body: unknown): { replacement: MeterReplacement } | { problems: Omit<FieldProblem, 'row'>[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { problems: [{ field: '(body)', value: JSON.stringify(body) ?? '', reason: 'expected an object {ts, finalReading, newReading}' }] };
  }
  const b = body as Record<string, unknown>;
  const problems: Omit<FieldProblem, 'row'>[] = [];
  for (const k of Object.keys(b)) if (!ALLOWED.includes(k)) problems.push({ field: k, value: JSON.stringify(b[k]) ?? '', reason: `unknown field; accepted: ${ALLOWED.join(', ')}` });
  const ts = parseTimestamp(b.ts);
  if (ts === undefined) problems.push({ field: 'ts', value: JSON.stringify(b.ts) ?? '', reason: 'expected an ISO 8601 timestamp with offset, or epoch milliseconds' });
  for (const f of ['finalReading', 'newReading'] as const) {
    const v = b[f];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push({ field: f, value: JSON.stringify(v) ?? '', reason: 'expected a finite number ≥ 0 (m³)' });
  }
  for (const f of ['newSpec', 'reason'] as const) {
    const v = b[f];
    if (v !== undefined && (typeof v !== 'string' || v.length > 256 || /[\u0000-\u001f]/.test(v))) problems.push({ field: f, value: JSON.stringify(v) ?? '', reason: 'expected one line of text' });
  }
  if (problems.length > 0) return { problems };
  return {
    replacement: {
      meterId,
      ts: ts as number,
      finalReading: b.finalReading as number,
      newReading: b.newReading as number,
      newSpec: b.newSpec as string | undefined,
      reason: b.reason as string | undefined,
    },
  };
}
