import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { BrokerState, MessageConsumer } from './embedded-broker.ts';

const RECONNECT_PAUSE_MS = 1_000;
const START_TIMEOUT_MS = 30_000;

/** The topics ingest consumes (interface.md §1), as subscriptions. */
export const INGEST_SUBSCRIPTIONS = ['meters/+/readings', 'handheld/+/uploads'] as const;

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, cbStorePut?: () => void, noStore?: boolean) => void;

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
 * PUBACK is sent only when the records are durable (see deferAcks). A message that cannot be made durable
 * is not acknowledged and the lane reconnects, so the broker redelivers it from the
 * persistent session (clean=false). Several lanes spread the decoding work and the
 * broker's in-flight windows.
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
        this.deferAcks(client, lane);
        client.on('error', (err) => this.opts.log.warn({ lane, err: err.message }, 'external broker connection error'));
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new MeterwatchError(ErrorCodes.CONFIG_INVALID, `external MQTT broker ${this.opts.url} did not accept a connection within ${START_TIMEOUT_MS / 1000} s`, {
            hint: 'check MW_MQTT_URL, MW_MQTT_USERNAME/MW_MQTT_PASSWORD, and that the broker is running',
          })), START_TIMEOUT_MS);
          client.once('connect', () => {
            clearTimeout(timer);
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

  /**
   * mqtt.js handles one incoming message per connection at a time and sends its PUBACK when
   * `handleMessage` calls back. Waiting there for durability would allow one message per
   * flush per connection. Instead `handleMessage` hands the message to the sink and calls
   * back at once, and the PUBACK mqtt.js then sends is held until that message is durable,
   * in arrival order (MQTT 3.1.1 §4.6). The broker's in-flight window (Mosquitto:
   * max_inflight_messages) bounds how many wait. If a message cannot be made durable, no
   * later PUBACK is sent on that connection and it reconnects: the broker redelivers every
   * unacknowledged message from the persistent session. Relies on mqtt.js's `_sendPacket`.
   */
  private deferAcks(client: MqttClient, lane: number): void {
    const internals = client as unknown as { _sendPacket: SendPacket };
    if (typeof internals._sendPacket !== 'function') throw new Error('mqtt.js internals changed: cannot defer PUBACK until durable');
    const send = internals._sendPacket.bind(client);
    let durable = new Map<number, Promise<void>>();
    let chain: Promise<void> = Promise.resolve();
    let failed = false;
    client.on('connect', () => {
      durable = new Map();
      chain = Promise.resolve();
      failed = false;
    });
    internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
      if (packet.cmd !== 'puback' || packet.messageId === undefined) return send(packet, cb, cbStorePut, noStore);
      const done = durable.get(packet.messageId) ?? Promise.resolve();
      durable.delete(packet.messageId);
      const current = durable;
      chain = chain
        .then(() => done)
        .then(() => {
          if (!failed && current === durable) send(packet, undefined, cbStorePut, noStore);
        })
        .catch(() => undefined);
      // mqtt.js parses the next packet only when this callback runs: run it now, not at the ack.
      cb?.();
    };
    client.handleMessage = (packet, callback) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const done = this.opts.consumer.handle(packet.topic, payload, client.options.clientId ?? '');
      if (packet.qos > 0 && packet.messageId !== undefined) durable.set(packet.messageId, done);
      done.catch((err: Error) => {
        if (failed) return;
        failed = true;
        this.opts.log.warn({ lane, err: err.message }, 'message not durable; not acknowledging, reconnecting for redelivery');
        // A pause before reconnecting keeps a full spool from turning into a redelivery storm.
        if (!this.stopping) client.end(true, () => setTimeout(() => this.stopping || client.reconnect(), RECONNECT_PAUSE_MS).unref());
      });
      callback();
    };
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
