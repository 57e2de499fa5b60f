import type { Outgoing } from '../outgoing.ts';
import { handheldCsv, handheldUpload, httpReading, meterPayload } from '../payloads.ts';
import { formatInZone } from '../../core/time.ts';
import type { HttpDriver } from './http-driver.ts';
import type { MqttDriver } from './mqtt-driver.ts';

export type Transport = 'mqtt' | 'http';

export interface SinkCounts {
  meterMessages: number;
  readings: number;
  handheldUploads: number;
  handheldRecords: number;
  purchases: number;
}

/**
 * Delivers what the fleet produces the way the real devices do (interface.md §1–§2): smart
 * and IC meters publish `meters/{meterId}/readings` (or, with transport http, a gateway
 * batches them into `POST /api/readings`); each route's handheld device uploads its day by
 * MQTT, HTTP JSON or HTTP CSV as its route is configured; the counter posts IC top-ups.
 */
export class DeviceSink {
  readonly counts: SinkCounts = { meterMessages: 0, readings: 0, handheldUploads: 0, handheldRecords: 0, purchases: 0 };
  private readingBatch: ReturnType<typeof httpReading>[] = [];
  private purchaseBatch: Record<string, unknown>[] = [];

  constructor(
    private readonly o: { zone: string; transport: Transport; http: HttpDriver; mqtt?: MqttDriver | undefined; batchRecords: number },
  ) {
    if (o.transport === 'mqtt' && !o.mqtt) throw new Error('transport mqtt needs an MQTT driver (--mqtt URL)');
  }

  async send(out: Outgoing): Promise<void> {
    const { zone } = this.o;
    switch (out.type) {
      case 'readings': {
        this.counts.meterMessages++;
        this.counts.readings += out.readings.length;
        if (this.o.transport === 'mqtt') {
          const body = out.readings.length === 1 ? meterPayload(out.readings[0]!, zone) : out.readings.map((r) => meterPayload(r, zone));
          await this.o.mqtt!.publish(`meters/${out.meterId}/readings`, JSON.stringify(body));
        } else {
          for (const r of out.readings) this.readingBatch.push(httpReading(r, zone));
          if (this.readingBatch.length >= this.o.batchRecords) await this.flushReadings();
        }
        return;
      }
      case 'handheld': {
        this.counts.handheldUploads++;
        this.counts.handheldRecords += out.records.length;
        const channel = out.route.channel === 'mqtt' && !this.o.mqtt ? 'http-json' : out.route.channel;
        if (channel === 'mqtt') {
          await this.o.mqtt!.publish(`handheld/${out.route.deviceId}/uploads`, JSON.stringify(handheldUpload(out.route, out.records)));
        } else if (channel === 'http-csv') {
          const q = new URLSearchParams({ readerId: out.route.readerId, route: out.route.id });
          await this.o.http.post(`/api/handheld/uploads?${q}`, handheldCsv(out.records), 'text/csv');
        } else {
          await this.o.http.post('/api/handheld/uploads', JSON.stringify(handheldUpload(out.route, out.records)));
        }
        return;
      }
      case 'purchase': {
        this.counts.purchases++;
        this.purchaseBatch.push({ ...out.purchase, ts: formatInZone(out.purchase.ts, zone) });
        if (this.purchaseBatch.length >= 1000) await this.flushPurchases();
        return;
      }
    }
  }

  private async flushReadings(): Promise<void> {
    if (this.readingBatch.length === 0) return;
    const batch = this.readingBatch;
    this.readingBatch = [];
    await this.o.http.post('/api/readings', JSON.stringify(batch));
  }

  private async flushPurchases(): Promise<void> {
    if (this.purchaseBatch.length === 0) return;
    const batch = this.purchaseBatch;
    this.purchaseBatch = [];
    await this.o.http.post('/api/ic/purchases', JSON.stringify(batch));
  }

  /** Sends partial batches and waits for every request and PUBACK. */
  async flush(): Promise<void> {
    await this.flushReadings();
    await this.flushPurchases();
    await this.o.http.drain();
    await this.o.mqtt?.drain();
  }
}
