import type { Alert, IcPurchase, MeterRecord, Reading, RejectedRecord } from './types.ts';

/**
 * The events on the typed bus where the parts meet (architecture.md: ingest and analytics
 * never import each other). Payloads are plain data.
 */
export interface MeterwatchEvents {
  /** Readings that are durable in QuestDB or in the spool (emitted once per batch, in arrival order). */
  'readings.accepted': { readings: readonly Reading[] };
  /** Records ingest refused, with the reason. */
  'readings.rejected': { records: readonly RejectedRecord[] };
  'ic.purchases': { purchases: readonly IcPurchase[] };
  /** Registry rows written (upserts and status changes), effective at `effectiveAt`. */
  'registry.changed': { meters: readonly MeterRecord[]; effectiveAt: number };
  /** A new alert, or an existing one whose period or evidence grew. */
  'alert.raised': { alert: Alert };
  'alert.updated': { alert: Alert };
}
