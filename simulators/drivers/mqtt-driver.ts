import mqtt, { type MqttClient } from 'mqtt';

/**
 * Publishes like a fleet of devices behind one gateway connection: MQTT 3.1.1, QoS 1, at
 * most `inflight` unacknowledged messages (the broker's PUBACK paces the producer).
 * mqtt.js keeps unacknowledged QoS 1 messages and resends them after a reconnect.
 */
export interface MqttDriverOptions {
  url: string;
  clientId: string;
  inflight: number;
  connectTimeoutMs?: number;
}

export interface MqttStats {
  published: number;
  acked: number;
  failed: number;
  bytes: number;
}

export class MqttDriver {
  readonly stats: MqttStats = { published: 0, acked: 0, failed: 0, bytes: 0 };
  private client: MqttClient | undefined;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: MqttDriverOptions) {}

  async connect(): Promise<void> {
    this.client = await mqtt.connectAsync(this.opts.url, {
      clientId: this.opts.clientId,
      protocolVersion: 4,
      clean: true,
      connectTimeout: this.opts.connectTimeoutMs ?? 10_000,
      reconnectPeriod: 1000,
      queueQoSZero: false,
    });
  }

  /** Resolves once the message has an in-flight slot; `drain()` waits for every PUBACK. */
  async publish(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('MQTT driver not connected');
    while (this.inFlight >= this.opts.inflight) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    this.stats.published++;
    this.stats.bytes += Buffer.byteLength(payload);
    const p = client
      .publishAsync(topic, payload, { qos: 1 })
      .then(
        () => void this.stats.acked++,
        () => void this.stats.failed++,
      )
      .finally(() => {
        this.inFlight--;
        this.pending.delete(p);
        this.waiting.shift()?.();
      });
    this.pending.add(p);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.drain();
    await this.client?.endAsync();
    this.client = undefined;
  }
}
