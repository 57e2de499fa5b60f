import type { IcPurchase, Reading, RejectedRecord } from '../../core/types.ts';
import { LineBuilder } from './line-protocol.ts';

/**
 * Domain records → ILP lines for the tables of migration 001 (storage/migrations/001-core-tables.ts).
 * Column names and types must match it: ILP auto-creation of tables and columns is off.
 */
export function readingLine(r: Reading): string {
  return new LineBuilder('readings')
    .symbol('meter_id', r.meterId)
    .symbol('valve', r.valve)
    .symbol('source', r.source)
    .symbol('estimate_reason', r.estimateReason)
    .symbol('reader_id', r.readerId)
    .symbol('route', r.route)
    .symbol('device_id', r.deviceId)
    .double('reading', r.reading)
    .double('flow', r.flow)
    .double('battery', r.battery)
    .double('balance', r.balance)
    .string('flags', r.flags && r.flags.length > 0 ? r.flags.join(',') : undefined)
    .boolean('estimated', r.estimated)
    .string('note', r.note)
    .timestamp('received_at', r.receivedAt)
    .at(r.ts);
}

/** A rejected record carries its own id so a replayed spool stores it once (DEDUP received_at, id). */
export function rejectedLine(r: RejectedRecord & { id: string }): string {
  return new LineBuilder('rejected_records')
    .symbol('source', r.source)
    .string('id', r.id)
    .string('topic', r.topic)
    .string('endpoint', r.endpoint)
    .string('client_id', r.clientId)
    .string('meter_id', r.meterId)
    .string('reason', r.reason)
    .string('field', r.field)
    .string('value', r.value)
    .string('raw', r.raw)
    .at(r.receivedAt);
}

export function icPurchaseLine(p: IcPurchase): string {
  return new LineBuilder('ic_purchases')
    .symbol('meter_id', p.meterId)
    .double('volume', p.volume)
    .double('amount', p.amount)
    .timestamp('received_at', p.receivedAt)
    .at(p.ts);
}
