import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../core/types.ts';
import { devicePassword } from '../ingest/broker/security.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';
import { connectMqtt, runPrefix, startTestIngest, type TestIngest } from './support/ingest.ts';

const sql = sharedSql();
const P = runPrefix('emb');
const NOW = Date.now();
const HOUR = 3_600_000;
let ingest: TestIngest;
const accepted: Reading[] = [];

beforeAll(async () => {
  ingest = await startTestIngest(sharedEndpoints().httpUrl, sql, {
    MW_INGEST_MAX_PAYLOAD: '64KiB',
    MW_MQTT_MAX_PACKET: '262144',
    MW_INGEST_ENFORCE_REGISTRY: 'true',
  }, (id) => !id.includes('UNREG'));
  ingest.bus.on('readings.accepted', ({ readings }) => void accepted.push(...readings));
});
afterAll(async () => {
  await ingest?.stop();
  await sql.close();
});

async function readingsOf(meterId: string): Promise<{ ts: number; reading: number }[]> {
  return sql.query(`SELECT ts, reading FROM readings WHERE meter_id = '${meterId}' ORDER BY ts`);
}

async function rejectedOf(topic: string): Promise<{ field: string; value: string; reason: string; raw: string; client_id: string }[]> {
  return sql.query(`SELECT field, value, reason, raw, client_id FROM rejected_records WHERE topic = '${topic}' ORDER BY reason`);
}

describe('MQTT ingest through the embedded broker', () => {
  it('stores single readings and 24-reading messages once, acknowledged only after they are durable', async () => {
    const client = await connectMqtt(ingest.mqttUrl, { clientId: `${P}-c1` });
    const m1 = `${P}-M1`;
    const m2 = `${P}-M2`;
    await client.publishAsync(`meters/${m1}/readings`, JSON.stringify({ ts: new Date(NOW - HOUR).toISOString(), reading: 10.5, flow: 0.4, valve: 'open', flags: ['battery_low'] }), { qos: 1 });
    // The PUBACK came after the flush: the row is committed, visible as soon as the WAL applies.
    const day = Array.from({ length: 24 }, (_, h) => ({ ts: NOW - (24 - h) * HOUR, reading: 100 + h }));
    await client.publishAsync(`meters/${m2}/readings`, JSON.stringify(day), { qos: 1 });
    // Redelivery of the same records changes nothing (DEDUP on meter and ts).
    await client.publishAsync(`meters/${m2}/readings`, JSON.stringify(day), { qos: 1 });
    await client.endAsync();
    await eventually(async () => (await readingsOf(m1)).length === 1 && (await readingsOf(m2)).length === 24);
    await new Promise((r) => setTimeout(r, 500));
    expect(await readingsOf(m2)).toHaveLength(24);
    expect((await readingsOf(m2)).map((r) => r.reading)).toEqual(day.map((d) => d.reading));
    const [row] = await sql.query(`SELECT flow, valve, flags, source FROM readings WHERE meter_id = '${m1}'`);
    expect(row).toEqual({ flow: 0.4, valve: 'open', flags: 'battery_low', source: 'mqtt' });
    expect(accepted.filter((r) => r.meterId === m2)).toHaveLength(48);
  });

  it('rejects every kind of bad input with its reason and stores the good siblings', async () => {
    const client = await connectMqtt(ingest.mqttUrl, { clientId: `${P}-bad` });
    const m = `${P}-M3`;
    const topic = `meters/${m}/readings`;
    const ts = NOW - HOUR;
    const messages = [
      `[{"ts":${ts},"reading":"100.5"},{"ts":${ts},"reading":1}]`,
      `[{"ts":${ts + 1},"reading":NaN},{"ts":${ts + 2},"reading":Infinity},{"ts":${ts + 3},"reading":2}]`,
      `[{"ts":${ts + 4},"reading":-5},{"reading":6},{"ts":"last tuesday","reading":7},{"ts":${NOW + 3 * 86_400_000},"reading":8},{"ts":${ts + 5},"reading":3}]`,
      '{"ts": 1, "reading": ',
      JSON.stringify([{ ts: ts + 6, reading: 4, note: 'x'.repeat(70 * 1024) }]),
    ];
    for (const text of messages) await client.publishAsync(topic, text, { qos: 1 });
    await client.publishAsync(`meters/${P}-UNREG/readings`, JSON.stringify({ ts, reading: 1 }), { qos: 1 });
    await client.publishAsync(`meters/${P}-a$b/readings`, JSON.stringify({ ts, reading: 1 }), { qos: 1 });
    await client.endAsync();

    await eventually(async () => (await readingsOf(m)).length === 3 && (await rejectedOf(topic)).length === 9);
    expect((await readingsOf(m)).map((r) => r.reading)).toEqual([1, 2, 3]);
    const rejected = await rejectedOf(topic);
    const byField = rejected.map((r) => `${r.field}: ${r.value}`).sort();
    expect(byField).toEqual(
      [
        'payload: null',
        'payload: null',
        'reading: "100.5" (string)',
        'reading: -5',
        'reading: Infinity',
        'reading: NaN',
        'ts: "last tuesday" (string)',
        `ts: ${NOW + 3 * 86_400_000}`,
        'ts: null',
      ].sort(),
    );
    expect(rejected.every((r) => r.client_id === `${P}-bad` && r.raw.length > 0)).toBe(true);
    expect(rejected.find((r) => r.reason.includes('malformed JSON'))?.raw).toBe('{"ts": 1, "reading": ');
    expect(rejected.find((r) => r.reason.includes('exceeds'))?.reason).toMatch(/payload: \d+ bytes exceeds the 65536-byte limit/);
    await eventually(async () => (await rejectedOf(`meters/${P}-UNREG/readings`)).length === 1 && (await rejectedOf(`meters/${P}-a$b/readings`)).length === 1);
    expect((await rejectedOf(`meters/${P}-UNREG/readings`))[0]!.reason).toContain('a meter in the registry');
    expect((await rejectedOf(`meters/${P}-a$b/readings`))[0]!.field).toBe('meterId');

    const page = await ingest.app.inject({ method: 'GET', url: `/api/ingest/rejected?topic=${encodeURIComponent(topic)}&limit=4` });
    const body = page.json() as { items: { reason: string; source: string; topic: string }[]; next?: string };
    expect(body.items).toHaveLength(4);
    expect(body.items[0]).toMatchObject({ source: 'mqtt', topic });
    const rest = (await ingest.app.inject({ method: 'GET', url: `/api/ingest/rejected?topic=${encodeURIComponent(topic)}&limit=100&cursor=${body.next}` })).json() as { items: unknown[]; next?: string };
    expect(rest.items).toHaveLength(5);
    expect(rest.next).toBeUndefined();
  });

  it('disconnects a client that sends a packet over the size limit or a wildcard topic, without acknowledging', async () => {
    for (const [topic, size] of [[`meters/${P}-M4/readings`, 300 * 1024], [`meters/${P}+/readings`, 10]] as const) {
      const client = await connectMqtt(ingest.mqttUrl, { clientId: `${P}-big` });
      const closed = new Promise<void>((r) => client.once('close', () => r()));
      let acked = false;
      client.publish(topic, 'x'.repeat(size), { qos: 1 }, (err) => (acked = !err));
      await closed;
      client.end(true);
      expect(acked).toBe(false);
    }
    expect(ingest.tier.broker!.refusals.packetSize).toBe(1);
    expect(await readingsOf(`${P}-M4`)).toEqual([]);
  });

  it('refuses an empty client id, clean session or not (CONNACK 2, identifier rejected)', async () => {
    // mqtt.js will not send an empty id itself, so the CONNECT packet is written by hand.
    for (const flags of [0x00, 0x02]) {
      const socket = createConnection(ingest.config.mqtt.port, '127.0.0.1');
      const connack = await new Promise<Buffer>((resolve, reject) => {
        socket.once('data', resolve);
        socket.once('error', reject);
        socket.write(Buffer.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, flags, 0, 60, 0, 0]));
      });
      socket.destroy();
      expect([...connack]).toEqual([0x20, 2, 0, 2]);
    }
  });
});

describe('MQTT security with device credentials', () => {
  const SECRET = 'test-secret-0123456789';
  let secured: TestIngest;
  beforeAll(async () => {
    secured = await startTestIngest(sharedEndpoints().httpUrl, sql, { MW_INGEST_AUTH: 'hmac', MW_INGEST_SECRET: SECRET, MW_API_TOKEN: 'api-token-0123456789', MW_MQTT_CONNECTION_RATE: '5' });
  });
  afterAll(async () => secured?.stop());

  it('lets a meter with its HMAC password publish its own readings only', async () => {
    const m = `${P}-S1`;
    await expect(connectMqtt(secured.mqttUrl, { clientId: `${P}-s0`, username: `meter:${m}`, password: 'wrong' })).rejects.toThrow(/Bad username or password/);
    const client = await connectMqtt(secured.mqttUrl, { clientId: `${P}-s1`, username: `meter:${m}`, password: devicePassword(SECRET, { kind: 'meter', id: m }) });
    await client.publishAsync(`meters/${m}/readings`, JSON.stringify({ ts: NOW - HOUR, reading: 1 }), { qos: 1 });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    client.publish(`meters/${P}-OTHER/readings`, JSON.stringify({ ts: NOW - HOUR, reading: 1 }), { qos: 1 });
    await closed;
    client.end(true);
    await eventually(async () => (await readingsOf(m)).length === 1);
    expect(await readingsOf(`${P}-OTHER`)).toEqual([]);
    expect(secured.tier.broker!.refusals.acl).toBe(1);
  });

  it('closes connections beyond the rate limit', async () => {
    await new Promise((r) => setTimeout(r, 1_100));
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => connectMqtt(secured.mqttUrl, { clientId: `${P}-rate${i}`, username: 'meter:M1', password: devicePassword(SECRET, { kind: 'meter', id: 'M1' }) })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    for (const r of ok) await r.value.endAsync();
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(ok.length).toBeLessThan(12);
    expect(secured.tier.broker!.refusals.rate).toBeGreaterThan(0);
  });

  it('requires the API token on HTTP ingest', async () => {
    const payload = [{ meterId: `${P}-H1`, ts: NOW - HOUR, reading: 1 }];
    expect((await secured.app.inject({ method: 'POST', url: '/api/readings', payload })).statusCode).toBe(401);
    const ok = await secured.app.inject({ method: 'POST', url: '/api/readings', payload, headers: { authorization: 'Bearer api-token-0123456789' } });
    expect(ok.statusCode).toBe(200);
  });
});
