import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { ConnectionRateLimiter, deviceTopicPrefix, mayPublish, verifyDevice, type AuthMode, type DeviceIdentity } from './security.ts';

export interface BrokerState {
  mode: 'embedded' | 'external';
  state: 'starting' | 'up' | 'down';
  url: string;
  clients: number;
}

/**
 * Where ingest messages go. `handle` must resolve only when the message's records are
 * durable: the broker acknowledges (PUBACK) after it resolves and never if it rejects.
 */
export interface MessageConsumer {
  accepts(topic: string): boolean;
  handle(topic: string, payload: Buffer, clientId: string): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  log: Logger;
  aedes?: AedesOptions;
  consumer?: MessageConsumer | undefined;
  auth?: { mode: AuthMode; secret?: string | undefined } | undefined;
  /** Largest MQTT packet; a client announcing a bigger one is disconnected before it is buffered. */
  maxPacketBytes?: number | undefined;
  /** New connections per second; more are closed at once. */
  connectionRate?: number | undefined;
}

/** mqtt-packet's parser as aedes holds it (private to aedes; see guardPacketSize). */
interface PacketParser {
  _parseLength(): boolean;
  packet: { length: number };
  emit(event: 'error', err: Error): boolean;
}

/**
 * The embedded MQTT broker (aedes 1.x, MQTT 3.1.1) on a TCP port, with the ingest tier's
 * policy as aedes hooks: authentication and ACL (issue 3 item 5), and the durable step in
 * `authorizePublish`, because aedes sends PUBACK before its `published` hook runs
 * (architecture.md). Messages arriving in one socket read are authorized concurrently, so
 * the sink's group commit gathers them into one flush.
 */
export class EmbeddedBroker {
  private server: Server | undefined;
  private broker: Aedes | undefined;
  private up = false;
  private readonly identities = new WeakMap<Client, DeviceIdentity>();
  private readonly emptyIds = new WeakSet<Client>();
  private readonly limiter: ConnectionRateLimiter | undefined;
  /** Connections closed by the rate limit or the packet-size limit, publishes denied by the ACL. */
  readonly refusals = { rate: 0, packetSize: 0, acl: 0, auth: 0 };

  constructor(private readonly opts: EmbeddedBrokerOptions) {
    this.limiter = opts.connectionRate ? new ConnectionRateLimiter(opts.connectionRate) : undefined;
  }

  get aedes(): Aedes {
    if (!this.broker) throw new Error('broker not started');
    return this.broker;
  }

  get port(): number {
    const addr = this.server?.address();
    return typeof addr === 'object' && addr ? addr.port : this.opts.port;
  }

  state(): BrokerState {
    return {
      mode: 'embedded',
      state: this.up ? 'up' : 'down',
      url: `mqtt://${this.opts.host}:${this.port}`,
      clients: this.broker?.connectedClients ?? 0,
    };
  }

  async start(): Promise<void> {
    this.broker = await Aedes.createBroker({ ...this.hooks(), ...(this.opts.aedes ?? {}) });
    const broker = this.broker;
    this.server = createServer((socket) => this.accept(socket, broker));
    await new Promise<void>((resolvePromise, reject) => {
      this.server!.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new MeterwatchError(ErrorCodes.PORT_IN_USE, `MQTT port ${this.opts.port} on ${this.opts.host} is already in use`, {
                hint: 'stop the other broker, choose another port with MW_MQTT_PORT, or use it with MW_MQTT_MODE=external and MW_MQTT_URL',
              })
            : err,
        );
      });
      this.server!.listen(this.opts.port, this.opts.host, () => resolvePromise());
    });
    this.up = true;
    this.opts.log.info({ url: this.state().url, auth: this.opts.auth?.mode ?? 'none' }, 'MQTT broker listening');
  }

  async stop(): Promise<void> {
    this.up = false;
    const server = this.server;
    const broker = this.broker;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    if (broker) await new Promise<void>((r) => broker.close(() => r()));
    this.server = undefined;
    this.broker = undefined;
  }

  private accept(socket: Socket, broker: Aedes): void {
    if (this.limiter && !this.limiter.tryAcquire()) {
      this.refusals.rate++;
      socket.destroy();
      return;
    }
    const client = broker.handle(socket);
    if (this.opts.maxPacketBytes) this.guardPacketSize(client, this.opts.maxPacketBytes);
  }

  /**
   * aedes has no packet size limit (architecture.md). The check sits where mqtt-packet has
   * just read a packet's announced length, before it buffers the body, so an oversized
   * packet costs no memory. Relies on mqtt-packet's parser internals; the unit test of the
   * broker fails if they change.
   */
  private guardPacketSize(client: Client, max: number): void {
    const parser = (client as unknown as { _parser?: PacketParser })._parser;
    if (!parser || typeof parser._parseLength !== 'function') throw new Error('aedes internals changed: cannot enforce the MQTT packet size limit');
    const parseLength = parser._parseLength.bind(parser);
    parser._parseLength = () => {
      const ok = parseLength();
      if (ok && parser.packet.length > max) {
        this.refusals.packetSize++;
        this.opts.log.warn({ clientId: client.id, bytes: parser.packet.length, max }, 'MQTT packet over the size limit; disconnecting');
        client.close();
        return false;
      }
      return ok;
    };
  }

  private hooks(): AedesOptions {
    const auth = this.opts.auth ?? { mode: 'none' as const };
    const log = this.opts.log;
    return {
      preConnect: (client, packet, callback) => {
        if (!packet.clientId) this.emptyIds.add(client);
        callback(null, true);
      },
      authenticate: (client, username, password, done) => {
        // An empty client id with clean=false would share one session among strangers.
        if (this.emptyIds.has(client)) return done(authError('empty client id refused', 2), null);
        if (auth.mode === 'none') return done(null, true);
        const identity = verifyDevice(auth.secret ?? '', username, password);
        if (!identity) {
          this.refusals.auth++;
          log.warn({ clientId: client.id, username }, 'MQTT login refused');
          return done(authError('bad user name or password', 4), null);
        }
        this.identities.set(client, identity);
        done(null, true);
      },
      authorizePublish: (client, packet, callback) => {
        if (!client) return callback(null); // the broker's own messages
        if (!mayPublish(this.identities.get(client), packet.topic, auth.mode)) {
          this.refusals.acl++;
          log.warn({ clientId: client.id, topic: packet.topic }, 'publish refused by ACL');
          return callback(new Error(`client ${client.id} may not publish to ${packet.topic}`));
        }
        const consumer = this.opts.consumer;
        if (!consumer || !consumer.accepts(packet.topic)) return callback(null);
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        consumer.handle(packet.topic, payload, client.id).then(
          () => callback(null),
          (err: Error) => {
            // No PUBACK: MQTT 3.1.1 has no negative ack, so aedes closes the connection and
            // the device resends later (issue 3 item 3: stop acknowledging, never drop).
            log.warn({ clientId: client.id, err: err.message }, 'message not durable; not acknowledging');
            callback(err);
          },
        );
      },
      authorizeSubscribe: (client, subscription, callback) => {
        // A device may listen under its own prefix only (e.g. future commands), never to others' data.
        const identity = this.identities.get(client);
        if (auth.mode === 'hmac' && !(identity && subscription.topic.startsWith(deviceTopicPrefix(identity)))) {
          this.refusals.acl++;
          return callback(new Error(`client ${client.id} may not subscribe to ${subscription.topic}`), null);
        }
        callback(null, subscription);
      },
    };
  }
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}
