import type { Reading } from '../../core/types.ts';
import { isValidId } from '../../core/ids.ts';
import { FieldProblem, isPlainObject } from '../validate/fields.ts';
import { validateHandheldHeader, validateReading, type ReadingOrigin, type ValidationContext } from '../validate/reading.ts';
import { parseJson, payloadRejection, rejectionOf, type Decoded } from './decoded.ts';

/** Topic shapes of interface.md §1. */
export const METER_TOPIC = /^meters\/([^/]*)\/readings$/;
export const HANDHELD_TOPIC = /^handheld\/([^/]*)\/uploads$/;

function validateEach(items: readonly unknown[], origin: ReadingOrigin, ctx: ValidationContext): Decoded<Reading> {
  const out: Decoded<Reading> = { records: [], rejections: [] };
  items.forEach((item, index) => {
    const r = validateReading(item, origin, ctx);
    if (r instanceof FieldProblem) out.rejections.push(rejectionOf(r, index, item, origin.topicMeterId));
    else out.records.push(r);
  });
  return out;
}

/** `meters/{meterId}/readings`: one JSON object or an array of them (interface.md §1). */
export function decodeMeterMessage(meterId: string, payload: string, ctx: ValidationContext): Decoded<Reading> {
  if (!isValidId(meterId)) {
    const p = new FieldProblem('topic meterId', meterId, 'an id of 1–64 letters, digits, "-", "_" or "."');
    return { records: [], rejections: [payloadRejection(p.reason, payload, 'meterId')] };
  }
  const parsed = parseJson(payload);
  if (!parsed.ok) return { records: [], rejections: [payloadRejection(parsed.reason, payload, 'payload', meterId)] };
  const items = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  if (items.length === 0) return { records: [], rejections: [payloadRejection('payload: empty array, expected at least one reading', payload, 'payload', meterId)] };
  return validateEach(items, { source: 'mqtt', topicMeterId: meterId }, ctx);
}

/**
 * A handheld upload body `{ readerId, route, records: [...] }` (interface.md §1), from MQTT
 * (`deviceId` from the topic) or from `POST /api/handheld/uploads`.
 */
export function decodeHandheldBody(body: unknown, deviceId: string | undefined, ctx: ValidationContext): Decoded<Reading> {
  if (!isPlainObject(body)) return { records: [], rejections: [rejectionOf(new FieldProblem('body', body, 'an object with readerId, route and records'), undefined, body)] };
  const header = validateHandheldHeader(body);
  if (header instanceof FieldProblem) return { records: [], rejections: [rejectionOf(header, undefined, body)] };
  if (!Array.isArray(body.records) || body.records.length === 0) {
    return { records: [], rejections: [rejectionOf(new FieldProblem('records', body.records, 'a non-empty array of records'), undefined, body)] };
  }
  return validateEach(body.records, { source: 'handheld', deviceId, ...header }, ctx);
}

export function decodeHandheldMessage(deviceId: string, payload: string, ctx: ValidationContext): Decoded<Reading> {
  if (!isValidId(deviceId)) {
    const p = new FieldProblem('topic deviceId', deviceId, 'an id of 1–64 letters, digits, "-", "_" or "."');
    return { records: [], rejections: [payloadRejection(p.reason, payload, 'deviceId')] };
  }
  const parsed = parseJson(payload);
  if (!parsed.ok) return { records: [], rejections: [payloadRejection(parsed.reason, payload)] };
  return decodeHandheldBody(parsed.value, deviceId, ctx);
}

/** `POST /api/readings`: a JSON array of meter records, each with its meterId (interface.md §2). */
export function decodeHttpReadings(body: unknown, ctx: ValidationContext): Decoded<Reading> {
  const items = Array.isArray(body) ? body : isPlainObject(body) ? [body] : undefined;
  if (!items || items.length === 0) return { records: [], rejections: [rejectionOf(new FieldProblem('body', body, 'a non-empty JSON array of readings'), undefined, body)] };
  return validateEach(items, { source: 'http' }, ctx);
}
