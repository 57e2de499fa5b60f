import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { silentLogger } from '../core/logger.ts';
import { EmbeddedBroker } from '../ingest/broker/embedded-broker.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { runStorm } from '../benchmarks/storm.ts';
import { sharedEndpoints, eventually } from './support/questdb.ts';

// A tiny storm, to prove the benchmark script works (the benchmark itself is `npm run bench`).
let broker: EmbeddedBroker;
beforeAll(async () => {
  broker = new EmbeddedBroker({ host: '127.0.0.1', port: await freePort(), log: silentLogger() });
  await broker.start();
});
afterAll(async () => broker?.stop());

describe('top-of-the-hour storm driver', () => {
  it('publishes one day of 24 hourly values per meter within the window, all acknowledged, and counts QuestDB', async () => {
    const seen = new Set<string>();
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'storm-test-sub', protocolVersion: 4 });
    sub.on('message', (topic, payload) => {
      const values = JSON.parse(payload.toString()) as { ts: string; reading: number }[];
      if (values.length === 24) seen.add(topic);
    });
    await sub.subscribeAsync('meters/+/readings', { qos: 1 });
    const result = await runStorm({
      meters: 300,
      windowMs: 1000,
      mqttUrl: `mqtt://127.0.0.1:${broker.port}`,
      pgUrl: sharedEndpoints().pgUrl,
      clients: 3,
      inflightPerClient: 50,
      valuesPerMessage: 24,
      drainTimeoutMs: 2000,
      timezone: 'Asia/Shanghai',
    });
    expect(result.records).toBe(300 * 24);
    expect(result.publishMs).toBeGreaterThanOrEqual(900);
    expect(result.allAckedMs).toBeGreaterThanOrEqual(result.publishMs);
    // nothing stores MQTT readings in this test: the drain is reported as not measured
    expect(result.recordsVisible).toBe(0);
    expect(result.drainMs).toBeNull();
    await eventually(async () => seen.size === 300, 10_000);
    await sub.endAsync();
  });
});
