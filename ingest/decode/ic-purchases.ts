import type { IcPurchase } from '../../core/types.ts';
import { FieldProblem, isPlainObject, requireId, requireNumber, requireTimestamp } from '../validate/fields.ts';
import { checkRegistry, type ValidationContext } from '../validate/reading.ts';
import { rejectionOf, type Decoded } from './decoded.ts';

function validatePurchase(item: unknown, ctx: ValidationContext): IcPurchase | FieldProblem {
  if (!isPlainObject(item)) return new FieldProblem('record', item, 'a JSON object');
  const meterId = requireId('meterId', item.meterId);
  if (meterId instanceof FieldProblem) return meterId;
  const ts = requireTimestamp('ts', item.ts, ctx.now, ctx.futureToleranceMs);
  if (ts instanceof FieldProblem) return ts;
  const volume = requireNumber('volume', item.volume, { min: 0 });
  if (volume instanceof FieldProblem) return volume;
  const amount = requireNumber('amount', item.amount, { min: 0 });
  if (amount instanceof FieldProblem) return amount;
  const unknown = checkRegistry(meterId, ctx);
  if (unknown) return unknown;
  return { meterId, ts, volume, amount, receivedAt: ctx.now };
}

/** `POST /api/ic/purchases`: `[{meterId, ts, volume, amount}]` (interface.md §2). */
export function decodeIcPurchases(body: unknown, ctx: ValidationContext): Decoded<IcPurchase> {
  const items = Array.isArray(body) ? body : isPlainObject(body) ? [body] : undefined;
  if (!items || items.length === 0) return { records: [], rejections: [rejectionOf(new FieldProblem('body', body, 'a non-empty JSON array of purchases'), undefined, body)] };
  const out: Decoded<IcPurchase> = { records: [], rejections: [] };
  items.forEach((item, index) => {
    const r = validatePurchase(item, ctx);
    if (r instanceof FieldProblem) out.rejections.push(rejectionOf(r, index, item));
    else out.records.push(r);
  });
  return out;
}
