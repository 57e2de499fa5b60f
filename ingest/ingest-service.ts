import type { Logger } from '../core/logger.ts';
import type { IcPurchase, Reading, RejectedRecord } from '../core/types.ts';
import { decodeHandheldCsv } from './decode/csv.ts';
import { payloadRejection, type Decoded, type Rejection } from './decode/decoded.ts';
import { decodeIcPurchases } from './decode/ic-purchases.ts';
import { HANDHELD_TOPIC, METER_TOPIC, decodeHandheldBody, decodeHandheldMessage, decodeHttpReadings, decodeMeterMessage } from './decode/readings.ts';
import type { DurableSink } from './durable-sink.ts';
import type { IngestMetrics } from './metrics.ts';
import type { ValidationContext } from './validate/reading.ts';

export interface IngestServiceOptions {
  sink: DurableSink;
  metrics: IngestMetrics;
  log: Logger;
  maxPayloadBytes: number;
  futureToleranceMs: number;
  enforceRegistry: boolean;
  /** Registry lookup, injected (the registry is another part): false = unknown meter. */
  knownMeter?: ((meterId: string) => boolean | undefined) | undefined;
  now?: () => number;
}

/** Answer of the HTTP ingest endpoints (interface.md §1 "Outcome of every record"). */
export interface HttpIngestResult {
  accepted: number;
  rejected: { index: number | null; reason: string }[];
}

export type HttpEndpoint = '/api/readings' | '/api/handheld/uploads' | '/api/ic/purchases';

/** True for the topics ingest consumes (interface.md §1). */
export function isIngestTopic(topic: string): boolean {
  return METER_TOPIC.test(topic) || HANDHELD_TOPIC.test(topic);
}

/**
 * The ingest tier's one entry point for every source: decode, validate, and hand good and
 * refused records together to the durable sink. The returned promise resolves only when
 * all of them are durable; a rejection means "do not acknowledge".
 */
export class IngestService {
  constructor(private readonly opts: IngestServiceOptions) {}

  private context(): ValidationContext {
    return {
      now: this.opts.now?.() ?? Date.now(),
      futureToleranceMs: this.opts.futureToleranceMs,
      enforceRegistry: this.opts.enforceRegistry,
      knownMeter: this.opts.knownMeter,
    };
  }

  /** One MQTT message on an ingest topic. */
  async handleMqtt(topic: string, payload: Buffer, clientId: string | undefined): Promise<void> {
    this.opts.metrics.messagesIn.mqtt++;
    const ctx = this.context();
    const where = { source: 'mqtt' as const, topic, clientId, receivedAt: ctx.now };
    if (payload.length > this.opts.maxPayloadBytes) {
      const r = payloadRejection(`payload: ${payload.length} bytes exceeds the ${this.opts.maxPayloadBytes}-byte limit`, payload.subarray(0, 4096).toString('utf8'));
      await this.opts.sink.submit({ readings: [], rejected: [toRejected(r, where)] });
      return;
    }
    const text = payload.toString('utf8');
    const meter = METER_TOPIC.exec(topic);
    const handheld = meter ? null : HANDHELD_TOPIC.exec(topic);
    let decoded: Decoded<Reading>;
    if (meter) decoded = decodeMeterMessage(meter[1]!, text, ctx);
    else if (handheld) decoded = decodeHandheldMessage(handheld[1]!, text, ctx);
    else decoded = { records: [], rejections: [payloadRejection(`topic: "${topic}" is not an ingest topic`, text, 'topic')] };
    await this.opts.sink.submit({ readings: decoded.records, rejected: decoded.rejections.map((r) => toRejected(r, where)) });
  }

  /** One HTTP ingest body; `csvQuery` set when the body is text/csv (handheld uploads). */
  async handleHttp(endpoint: HttpEndpoint, body: unknown, meta: { clientId?: string | undefined; csvQuery?: Record<string, unknown> }): Promise<HttpIngestResult> {
    this.opts.metrics.messagesIn.http++;
    const ctx = this.context();
    const where = { source: 'http' as const, endpoint, clientId: meta.clientId, receivedAt: ctx.now };
    let readings: Decoded<Reading> = { records: [], rejections: [] };
    let purchases: Decoded<IcPurchase> = { records: [], rejections: [] };
    if (endpoint === '/api/readings') readings = decodeHttpReadings(body, ctx);
    else if (endpoint === '/api/ic/purchases') purchases = decodeIcPurchases(body, ctx);
    else if (meta.csvQuery) readings = decodeHandheldCsv(typeof body === 'string' ? body : '', meta.csvQuery, ctx);
    else readings = decodeHandheldBody(body, undefined, ctx);
    const rejections = [...readings.rejections, ...purchases.rejections];
    await this.opts.sink.submit({
      readings: readings.records,
      purchases: purchases.records,
      rejected: rejections.map((r) => toRejected(r, where)),
    });
    return {
      accepted: readings.records.length + purchases.records.length,
      rejected: rejections.map((r) => ({ index: r.index ?? null, reason: r.reason })),
    };
  }

  /** An HTTP body that is not JSON: kept whole as one rejected record (interface.md §1). */
  async handleMalformedHttp(endpoint: HttpEndpoint, text: string, problem: string, clientId: string | undefined): Promise<HttpIngestResult> {
    this.opts.metrics.messagesIn.http++;
    const r = payloadRejection(`body: malformed JSON (${problem})`, text, 'body');
    await this.opts.sink.submit({ readings: [], rejected: [toRejected(r, { source: 'http', endpoint, clientId, receivedAt: this.opts.now?.() ?? Date.now() })] });
    return { accepted: 0, rejected: [{ index: null, reason: r.reason }] };
  }

  counters(): { accepted: number; rejected: number; pending: number; spooled: number; storageUp: boolean } {
    const { sink } = this.opts;
    return { accepted: sink.accepted, rejected: sink.rejected, pending: sink.pendingCount, spooled: sink.spooledRows, storageUp: sink.storageUp };
  }
}

function toRejected(r: Rejection, where: Pick<RejectedRecord, 'source' | 'topic' | 'endpoint' | 'clientId' | 'receivedAt'>): RejectedRecord {
  return { ...where, meterId: r.meterId, reason: r.reason, field: r.field, value: r.value, raw: r.raw };
}
