import mqtt, { type MqttClient } from 'mqtt';

/**
 * QoS 1 load like a fleet of meters: `meters` simulated meters, each message one reading or
 * 24 hourly readings, spread over `connections` connections with at most `window`
 * unacknowledged messages each. Resolves when every message was acknowledged.
 */
export interface LoadSpec {
  url: string;
  prefix: string;
  meters: number;
  messages: number;
  readingsPerMessage: 1 | 24;
  /** Event time of the first reading; each run uses its own range so counting is cheap. */
  baseTs: number;
  connections: number;
  window: number;
}

const HOUR = 3_600_000;

export function messageFor(spec: LoadSpec, i: number): { topic: string; payload: string } {
  const meter = i % spec.meters;
  const round = Math.floor(i / spec.meters);
  const topic = `meters/${spec.prefix}-${meter}/readings`;
  if (spec.readingsPerMessage === 1) {
    return { topic, payload: JSON.stringify({ ts: spec.baseTs + round * HOUR, reading: 1000 + round * 0.37, flow: 0.42, battery: 3.6 }) };
  }
  const day = spec.baseTs + round * 24 * HOUR;
  const readings = Array.from({ length: 24 }, (_, h) => ({ ts: day + h * HOUR, reading: 1000 + (round * 24 + h) * 0.37, flow: 0.42 }));
  return { topic, payload: JSON.stringify(readings) };
}

export async function runLoad(spec: LoadSpec): Promise<{ seconds: number }> {
  const clients: MqttClient[] = await Promise.all(
    Array.from({ length: spec.connections }, (_, c) => mqtt.connectAsync(spec.url, { clientId: `${spec.prefix}-load-${c}`, reconnectPeriod: 0 })),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve, reject) => {
          let inFlight = 0;
          const pump = () => {
            while (inFlight < spec.window && next < spec.messages) {
              const { topic, payload } = messageFor(spec, next++);
              inFlight++;
              client.publish(topic, payload, { qos: 1 }, (err) => {
                if (err) return reject(err);
                inFlight--;
                if (next >= spec.messages && inFlight === 0) resolve();
                else pump();
              });
            }
            if (next >= spec.messages && inFlight === 0) resolve();
          };
          pump();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  return { seconds };
}
