/**
 * A bare MQTT 3.1.1 QoS 1 publisher over one TCP socket: CONNECT, pipelined PUBLISH packets,
 * PUBACKs counted. It does a small fraction of mqtt.js's work per message (no packet objects,
 * no outgoing store, no per-message callback), so the load generator stays cheaper than the
 * system it loads (issue 5 item 3a: the publisher must not be the bottleneck).
 */
import { connect, type Socket } from 'node:net';

function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

function utf8Field(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

export function connectPacket(clientId: string): Buffer {
  // protocol name "MQTT", level 4, clean session, keep-alive 0 (off: the run is shorter than any timeout)
  const body = Buffer.concat([utf8Field('MQTT'), Buffer.from([4, 0x02, 0, 0]), utf8Field(clientId)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

export function publishPacket(topic: string, payload: string, packetId: number): Buffer {
  const t = Buffer.from(topic, 'utf8');
  const p = Buffer.from(payload, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt16BE(t.length, 0);
  const id = Buffer.alloc(2);
  id.writeUInt16BE(packetId, 0);
  const len = 2 + t.length + 2 + p.length;
  return Buffer.concat([Buffer.from([0x32]), remainingLength(len), head.subarray(0, 2), t, id, p]);
}

export class RawPublisher {
  private socket!: Socket;
  private nextId = 1;
  private buffered: Buffer = Buffer.alloc(0);
  inFlight = 0;
  acked = 0;
  onAck: () => void = () => undefined;
  onError: (err: Error) => void = () => undefined;

  static async open(host: string, port: number, clientId: string): Promise<RawPublisher> {
    const p = new RawPublisher();
    await p.connect(host, port, clientId);
    return p;
  }

  private connect(host: string, port: number, clientId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let connected = false;
      this.socket = connect({ host, port, noDelay: true }, () => this.socket.write(connectPacket(clientId)));
      this.socket.on('error', (err) => (connected ? this.onError(err) : reject(err)));
      this.socket.on('close', () => {
        if (connected && this.inFlight > 0) this.onError(new Error(`broker closed the connection with ${this.inFlight} messages unacknowledged`));
      });
      this.socket.on('data', (chunk: Buffer) => {
        this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
        let at = 0;
        // Only CONNACK (0x20) and PUBACK (0x40) come back, both 4 bytes long.
        while (this.buffered.length - at >= 4) {
          const type = this.buffered[at]! & 0xf0;
          if (type === 0x20) {
            if (this.buffered[at + 3] !== 0) return reject(new Error(`CONNACK refused: return code ${this.buffered[at + 3]}`));
            connected = true;
            resolve();
          } else if (type === 0x40) {
            this.inFlight--;
            this.acked++;
            this.onAck();
          } else {
            this.onError(new Error(`unexpected MQTT packet type 0x${type.toString(16)}`));
          }
          at += 4;
        }
        this.buffered = this.buffered.subarray(at);
      });
    });
  }

  /** Queues one QoS 1 PUBLISH; writes of one tick leave in one TCP segment train (cork). */
  publish(topic: string, payload: string): void {
    if (!this.socket.writableCorked) {
      this.socket.cork();
      process.nextTick(() => this.socket.uncork());
    }
    this.socket.write(publishPacket(topic, payload, this.nextId));
    this.nextId = this.nextId === 65_535 ? 1 : this.nextId + 1;
    this.inFlight++;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end(Buffer.from([0xe0, 0x00])); // DISCONNECT
    });
  }
}
