import { ESTIMATE_REASONS, READING_FLAGS, type Reading, type ReadingSource } from '../../core/types.ts';
import {
  FieldProblem,
  isPlainObject,
  optionalBoolean,
  optionalEnum,
  optionalEnumList,
  optionalId,
  optionalNumber,
  optionalText,
  requireId,
  requireNumber,
  requireTimestamp,
} from './fields.ts';

/** What every decoder needs to judge one record. */
export interface ValidationContext {
  /** Server clock at receipt, epoch ms. */
  now: number;
  futureToleranceMs: number;
  /**
   * Registry lookup (the registry is another part, injected): false = not registered,
   * undefined = unknown (registry not loaded). Only consulted when `enforceRegistry`.
   */
  knownMeter?: ((meterId: string) => boolean | undefined) | undefined;
  enforceRegistry: boolean;
}

/** Where the record came from, copied onto the stored reading. */
export interface ReadingOrigin {
  source: ReadingSource;
  /** The meter named by the topic (`meters/{meterId}/readings`); a record may then omit it. */
  topicMeterId?: string | undefined;
  deviceId?: string | undefined;
  readerId?: string | undefined;
  route?: string | undefined;
}

/**
 * One reading record (interface.md §1 field table, and the handheld record) → a Reading,
 * or the first problem found. Handheld fields (estimated, estimateReason, note) are read
 * whenever present.
 */
export function validateReading(item: unknown, origin: ReadingOrigin, ctx: ValidationContext): Reading | FieldProblem {
  if (!isPlainObject(item)) return new FieldProblem('record', item, 'a JSON object');
  let meterId: string;
  if (origin.topicMeterId !== undefined) {
    if (item.meterId !== undefined && item.meterId !== origin.topicMeterId) {
      return new FieldProblem('meterId', item.meterId, `the meter of the topic (${origin.topicMeterId}) or nothing`);
    }
    meterId = origin.topicMeterId;
  } else {
    const id = requireId('meterId', item.meterId);
    if (id instanceof FieldProblem) return id;
    meterId = id;
  }
  const ts = requireTimestamp('ts', item.ts, ctx.now, ctx.futureToleranceMs);
  if (ts instanceof FieldProblem) return ts;
  const reading = requireNumber('reading', item.reading, { min: 0 });
  if (reading instanceof FieldProblem) return reading;
  const flow = optionalNumber('flow', item.flow, { min: 0 });
  if (flow instanceof FieldProblem) return flow;
  const battery = optionalNumber('battery', item.battery, { min: 0 });
  if (battery instanceof FieldProblem) return battery;
  const balance = optionalNumber('balance', item.balance);
  if (balance instanceof FieldProblem) return balance;
  const valve = optionalEnum('valve', item.valve, ['open', 'closed'] as const);
  if (valve instanceof FieldProblem) return valve;
  const flags = optionalEnumList('flags', item.flags, READING_FLAGS);
  if (flags instanceof FieldProblem) return flags;
  const estimated = optionalBoolean('estimated', item.estimated);
  if (estimated instanceof FieldProblem) return estimated;
  const estimateReason = optionalEnum('estimateReason', item.estimateReason, ESTIMATE_REASONS);
  if (estimateReason instanceof FieldProblem) return estimateReason;
  const note = optionalText('note', item.note);
  if (note instanceof FieldProblem) return note;
  const unknown = checkRegistry(meterId, ctx);
  if (unknown) return unknown;
  return {
    meterId,
    ts,
    reading,
    flow,
    battery,
    balance,
    valve,
    flags,
    source: origin.source,
    estimated,
    estimateReason,
    readerId: origin.readerId,
    route: origin.route,
    deviceId: origin.deviceId,
    note: note === '' ? undefined : note,
    receivedAt: ctx.now,
  };
}

/** interface.md §1: "unknown meter when the registry is enforced" is a rejection. */
export function checkRegistry(meterId: string, ctx: ValidationContext): FieldProblem | undefined {
  if (!ctx.enforceRegistry || !ctx.knownMeter) return undefined;
  return ctx.knownMeter(meterId) === false ? new FieldProblem('meterId', meterId, 'a meter in the registry') : undefined;
}

/** Handheld upload header fields (interface.md §1 `handheld/{deviceId}/uploads`). */
export function validateHandheldHeader(body: Record<string, unknown>): { readerId?: string | undefined; route?: string | undefined } | FieldProblem {
  const readerId = optionalId('readerId', body.readerId);
  if (readerId instanceof FieldProblem) return readerId;
  const route = optionalText('route', body.route, 64);
  if (route instanceof FieldProblem) return route;
  return { readerId, route: route === '' ? undefined : route };
}
