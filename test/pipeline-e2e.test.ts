import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../core/config/index.ts';
import { silentLogger } from '../core/logger.ts';
import { startSystem } from '../main.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { connectMqtt } from './support/ingest.ts';
import { sharedEndpoints } from './support/questdb.ts';

// The whole system in one process against the shared QuestDB: a meter publishes over MQTT,
// the alert reaches a WebSocket client (issue 6 acceptance: MQTT in → alert on the WebSocket).
let stop: () => Promise<void>;
let httpPort: number;
let mqttPort: number;
const { httpUrl, pgUrl } = sharedEndpoints();

beforeAll(async () => {
  httpPort = await freePort();
  mqttPort = await freePort();
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const config = loadConfig({}, {
    MW_QUESTDB_URL: httpUrl,
    MW_QUESTDB_PG_URL: pgUrl,
    MW_DATA_DIR: mkdtempSync(join(tmpdir(), 'mw-e2e-')),
    MW_HTTP_HOST: '127.0.0.1',
    MW_HTTP_PORT: String(httpPort),
    MW_MQTT_HOST: '127.0.0.1',
    MW_MQTT_PORT: String(mqttPort),
    MW_ANALYTICS_SCHEDULE: '0',
    MW_SIMULATE: 'false',
  });
  stop = await startSystem(config, silentLogger());
});

afterAll(async () => stop?.());

describe('MQTT in → alert on the WebSocket', () => {
  it('delivers a tamper alert within 2 s of the QoS 1 publish, once', async () => {
    const meterId = `E2E-${Date.now()}`;
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/meters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ meterId, category: 'residential', kind: 'smart', spec: 'G4', status: 'active', customerId: `C-${meterId}` }]),
    });
    expect(res.status).toBeLessThan(300);
    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/api/alerts/stream`);
    const got: { meterId: string; rule: string; at: number }[] = [];
    ws.on('message', (d) => {
      const a = JSON.parse(String(d)) as { meterId: string; rule: string };
      if (a.meterId === meterId) got.push({ ...a, at: Date.now() });
    });
    await new Promise<void>((r) => ws.once('open', () => r()));
    const mqtt = await connectMqtt(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `e2e-${meterId}` });
    const ts = Date.now() - 60_000;
    const sent = Date.now();
    await mqtt.publishAsync(`meters/${meterId}/readings`, JSON.stringify([
      { ts, reading: 10 },
      { ts: ts + 30_000, reading: 10.01, flags: ['magnet'] },
    ]), { qos: 1 });
    await mqtt.publishAsync(`meters/${meterId}/readings`, JSON.stringify({ ts: ts + 30_000, reading: 10.01, flags: ['magnet'] }), { qos: 1 }); // redelivery
    const deadline = Date.now() + 10_000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    await mqtt.endAsync();
    ws.close();
    expect(got.map((a) => a.rule)).toEqual(['tamper']);
    expect(got[0]!.at - sent).toBeLessThan(2_000);
  });
});
