import { FieldProblem } from '../validate/fields.ts';

/** Longest raw payload kept with a rejected record; the rest is cut (the reason says why it was refused). */
export const MAX_RAW_CHARS = 64 * 1024;

/** One record a decoder refused (interface.md §1: kept with raw payload and a reason). */
export interface Rejection {
  /** Position in the message or body; undefined when the whole payload was unreadable. */
  index: number | undefined;
  reason: string;
  field?: string | undefined;
  value?: string | undefined;
  meterId?: string | undefined;
  raw: string;
}

/** What a decoder made of one message or body: the good records and the refused ones. */
export interface Decoded<T> {
  records: T[];
  rejections: Rejection[];
}

export function rawOf(item: unknown): string {
  const text = typeof item === 'string' ? item : (JSON.stringify(item) ?? String(item));
  return text.length > MAX_RAW_CHARS ? text.slice(0, MAX_RAW_CHARS) : text;
}

export function rejectionOf(problem: FieldProblem, index: number | undefined, item: unknown, meterId?: string): Rejection {
  const itemMeter = typeof item === 'object' && item !== null && 'meterId' in item ? (item as { meterId: unknown }).meterId : undefined;
  return {
    index,
    reason: problem.reason,
    field: problem.field,
    value: problem.value === undefined ? undefined : problem.shownValue,
    meterId: meterId ?? (typeof itemMeter === 'string' ? itemMeter.slice(0, 64) : undefined),
    raw: rawOf(item),
  };
}

/** A whole payload refused (malformed JSON, oversized, wrong shape). */
export function payloadRejection(reason: string, raw: string, field = 'payload', meterId?: string): Rejection {
  return { index: undefined, reason, field, meterId, raw: rawOf(raw) };
}

/** JSON.parse that reports the parser's message instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: `payload: malformed JSON (${(err as Error).message})` };
  }
}
