import { createServer, type Server } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

export interface BrokerState {
  mode: 'embedded' | 'external';
  state: 'starting' | 'up' | 'down';
  url: string;
  clients: number;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  log: Logger;
  aedes?: AedesOptions;
}

/** The embedded MQTT broker (aedes 1.x, MQTT 3.1.1) listening on a TCP port. */
export class EmbeddedBroker {
  private server: Server | undefined;
  private broker: Aedes | undefined;
  private up = false;

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

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
    this.broker = await Aedes.createBroker(this.opts.aedes ?? {});
    const broker = this.broker;
    this.server = createServer((socket) => broker.handle(socket));
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
    this.opts.log.info({ url: this.state().url }, 'MQTT broker listening');
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
}
