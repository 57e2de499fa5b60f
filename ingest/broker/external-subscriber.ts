import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../../core/logger.ts';
import type { BrokerState, MessageConsumer } from './embedded-broker.ts';

/** The topics ingest consumes (interface.md §1), as subscriptions. */
export const INGEST_SUBSCRIPTIONS = ['meters/+/readings', 'handheld/+/uploads'] as const;

export interface ExternalSubscriberOptions {
  url: string;
  /** `$share/<group>/…`: every ingest process in the group gets a share of the stream. */
  shareGroup: string;
  /** Stable per process, so a restarted process resumes its persistent session. */
  clientIdPrefix: string;
  /** Connections; each acknowledges in order, so parallel lanes let the group commit fill. */
  lanes: number;
  username?: string | undefined;
  password?: string | undefined;
  consumer: MessageConsumer;
  log: Logger;
}

/**
 * Ingest from an external broker (Mosquitto, EMQX) through a shared subscription. The
 * PUBACK is sent only when the records are durable: mqtt.js sends it after `handleMessage`
 * calls back, so that is where the durable step runs. A message that cannot be made durable
 * is not acknowledged and the lane reconnects, so the broker redelivers it from the
 * persistent session (clean=false). mqtt.js handles one message per connection at a time,
 * hence several lanes.
 */
export class ExternalSubscriber {
  private clients: MqttClient[] = [];
  private stopping = false;

  constructor(private readonly opts: ExternalSubscriberOptions) {}

  state(): BrokerState {
    const connected = this.clients.filter((c) => c.connected).length;
    return { mode: 'external', state: connected > 0 ? 'up' : 'down', url: this.opts.url, clients: connected };
  }

  /** Connects every lane and subscribes; resolves when all lanes are subscribed. */
  async start(): Promise<void> {
    const topics = INGEST_SUBSCRIPTIONS.map((t) => `$share/${this.opts.shareGroup}/${t}`);
    await Promise.all(
      Array.from({ length: this.opts.lanes }, async (_, lane) => {
        const client = mqtt.connect(this.opts.url, this.clientOptions(lane));
        this.clients.push(client);
        client.handleMessage = (packet, callback) => {
          const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
          this.opts.consumer.handle(packet.topic, payload, client.options.clientId ?? '').then(
            () => callback(),
            (err: Error) => {
              this.opts.log.warn({ lane, err: err.message }, 'message not durable; not acknowledging, reconnecting for redelivery');
              callback(err);
              if (!this.stopping) client.end(true, () => client.reconnect());
            },
          );
        };
        client.on('error', (err) => this.opts.log.warn({ lane, err: err.message }, 'external broker connection error'));
        await new Promise<void>((resolve, reject) => {
          client.once('connect', () => {
            client.subscribe(topics, { qos: 1 }, (err, granted) => {
              if (err) return reject(err);
              const refused = granted?.filter((g) => g.qos === 128) ?? [];
              if (refused.length > 0) return reject(new Error(`external broker refused ${refused.map((g) => g.topic).join(', ')}`));
              resolve();
            });
          });
        });
      }),
    );
    this.opts.log.info({ url: this.opts.url, lanes: this.opts.lanes, group: this.opts.shareGroup }, 'subscribed to the external broker');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.clients.map((c) => c.endAsync(false).catch(() => undefined)));
    this.clients = [];
  }

  private clientOptions(lane: number): IClientOptions {
    return {
      clientId: `${this.opts.clientIdPrefix}-${lane}`,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      resubscribe: true,
      username: this.opts.username,
      password: this.opts.password,
    };
  }
}
