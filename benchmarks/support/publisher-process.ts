/**
 * One load-generator process (forked by publisher-pool.ts): `connections` raw MQTT connections
 * with at most `window` unacknowledged QoS 1 messages each. It sends messages k =
 * index, index + processes, ... (fleet-load.ts) until it has sent its share of `minMessages`
 * AND `minSeconds` have passed, then waits for the last PUBACK and reports what it sent,
 * the wall time and its own CPU time, so a reader can tell whether the publisher limited.
 */
import { messageFor, type Shape } from './fleet-load.ts';
import { RawPublisher } from './raw-mqtt.ts';

export interface PublisherSpec {
  host: string;
  port: number;
  clientPrefix: string;
  index: number;
  processes: number;
  connections: number;
  window: number;
  meters: number;
  shape: Shape;
  baseTs: number;
  minMessages: number;
  minSeconds: number;
  /** safety stop */
  maxSeconds: number;
}

export interface PublisherReport {
  messages: number;
  seconds: number;
  cpuSeconds: number;
}

type FromParent = { type: 'prepare'; spec: PublisherSpec } | { type: 'go' };

let spec: PublisherSpec;
let clients: RawPublisher[] = [];

async function prepare(s: PublisherSpec): Promise<void> {
  spec = s;
  clients = await Promise.all(Array.from({ length: s.connections }, (_, c) => RawPublisher.open(s.host, s.port, `${s.clientPrefix}-${s.index}-${c}`)));
  process.send!({ type: 'ready' });
}

async function go(): Promise<void> {
  const share = Math.ceil(spec.minMessages / spec.processes);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let sent = 0;
  let stopping = false;
  const shouldStop = () => {
    if (stopping) return true;
    const elapsed = (performance.now() - started) / 1000;
    stopping = (sent >= share && elapsed >= spec.minSeconds) || elapsed >= spec.maxSeconds;
    return stopping;
  };
  await new Promise<void>((resolve, reject) => {
    let open = clients.length;
    for (const client of clients) {
      let finished = false;
      const pump = () => {
        while (client.inFlight < spec.window && !shouldStop()) {
          const { topic, payload } = messageFor(spec.index + sent * spec.processes, spec.meters, spec.shape, spec.baseTs);
          sent++;
          client.publish(topic, payload);
        }
        if (stopping && client.inFlight === 0 && !finished) {
          finished = true;
          if (--open === 0) resolve();
        }
      };
      client.onAck = () => {
        // Refill in bursts of a tenth of the window: fewer, larger writes.
        if (client.inFlight <= spec.window * 0.9 || stopping) pump();
      };
      client.onError = reject;
      pump();
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(clients.map((c) => c.close()));
  const report: PublisherReport = { messages: sent, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  process.send!({ type: 'done', report });
}

process.on('message', (m: FromParent) => {
  const run = m.type === 'prepare' ? prepare(m.spec) : go();
  run.catch((err: unknown) => {
    process.send!({ type: 'error', message: (err as Error).stack ?? String(err) });
  });
});
