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

const NON_FINITE_TOKEN = '\u0000mw-non-finite:';

/**
 * JSON.parse that reports the parser's message instead of throwing. Devices written in C
 * often print NaN and Infinity bare; such a payload is not JSON, but rejecting all of it
 * would lose the good readings beside the bad one (issue 3 item 2). So when strict parsing
 * fails, bare NaN / Infinity / -Infinity outside strings are read as those numbers, and
 * validation then rejects exactly the records that hold them.
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const lenient = replaceBareNonFinite(text);
    if (lenient !== undefined) {
      try {
        const value = JSON.parse(lenient, (_key, v: unknown) =>
          typeof v === 'string' && v.startsWith(NON_FINITE_TOKEN) ? Number(v.slice(NON_FINITE_TOKEN.length)) : v,
        ) as unknown;
        return { ok: true, value };
      } catch {
        // still not JSON: report the original problem
      }
    }
    return { ok: false, reason: `payload: malformed JSON (${(err as Error).message})` };
  }
}

/** The text with bare NaN/Infinity tokens quoted as markers, or undefined when there are none. */
function replaceBareNonFinite(text: string): string | undefined {
  let out = '';
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end - 1;
      continue;
    }
    const m = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m) {
      out += JSON.stringify(NON_FINITE_TOKEN + m[1]!);
      i += m[1]!.length - 1;
      found = true;
      continue;
    }
    out += c;
  }
  return found ? out : undefined;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}
