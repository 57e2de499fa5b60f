import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { EmbeddedBroker } from '../../ingest/broker/embedded-broker.ts';
import { meterId, meterOf, messageFor, registerAt } from './fleet-load.ts';
import { runPublishers } from './publisher-pool.ts';

describe('fleet load of the ingest scale benchmark', () => {
  it('visits every meter once per round, in a scattered order', () => {
    const meters = 10_000;
    const seen = new Set<number>();
    for (let k = 0; k < meters; k++) seen.add(meterOf(k, meters));
    expect(seen.size).toBe(meters);
    expect(Math.abs(meterOf(1, meters) - meterOf(0, meters))).toBeGreaterThan(100);
  });

  it('keeps the register rising with event time, across measurements', () => {
    const a = messageFor(0, 100, 24, Date.UTC(2002, 0, 1));
    const readings = JSON.parse(a.payload) as { ts: number; reading: number }[];
    expect(readings).toHaveLength(24);
    for (let i = 1; i < 24; i++) expect(readings[i]!.reading).toBeGreaterThan(readings[i - 1]!.reading);
    expect(registerAt(Date.UTC(2003, 0, 1))).toBeGreaterThan(readings[23]!.reading);
  });
});

describe('publisher processes (raw MQTT, QoS 1)', () => {
  const received: { topic: string; payload: string }[] = [];
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = new EmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger(),
      maxPacketBytes: 1024 * 1024,
      // Acknowledged only once "stored": the publishers must wait for PUBACKs, not just write.
      consumer: {
        accepts: () => true,
        handle: async (topic, payload) => {
          await new Promise((r) => setTimeout(r, 1));
          received.push({ topic, payload: payload.toString() });
        },
      },
    });
    await broker.start();
  });
  afterAll(() => broker.stop());

  it('delivers every message once, acknowledged, spread over every meter', async () => {
    const meters = 300;
    const load = await runPublishers({ host: '127.0.0.1', port: broker.port, clientPrefix: 't', processes: 2, connections: 3, window: 7, meters, shape: 1, baseTs: Date.UTC(2002, 0, 1), minMessages: 1000, minSeconds: 0, maxSeconds: 60 });
    expect(load.messages).toBeGreaterThanOrEqual(1000);
    expect(received).toHaveLength(load.messages);
    expect(new Set(received.map((m) => `${m.topic} ${m.payload}`)).size).toBe(load.messages);
    expect(new Set(received.map((m) => m.topic)).size).toBe(meters);
    expect(received.map((m) => m.topic)).toContain(`meters/${meterId(meters - 1)}/readings`);
    const sample = JSON.parse(received[0]!.payload) as Record<string, unknown>;
    expect(Object.keys(sample).sort()).toEqual(['battery', 'flow', 'reading', 'ts']);
    expect(load.publisherCpuSeconds).toBeGreaterThan(0);
  }, 60_000);
});
