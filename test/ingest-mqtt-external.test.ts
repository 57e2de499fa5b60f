import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';
import { connectMqtt, runPrefix, startTestIngest, type TestIngest } from './support/ingest.ts';
import { startMosquitto, type RunningMosquitto } from './support/mosquitto.ts';

const sql = sharedSql();
const P = runPrefix('ext');
const NOW = Date.now();
let mosquitto: RunningMosquitto;
const workers: TestIngest[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto();
  for (const name of ['w1', 'w2']) {
    workers.push(
      await startTestIngest(sharedEndpoints().httpUrl, sql, {
        MW_MQTT_MODE: 'external',
        MW_MQTT_URL: mosquitto.url,
        MW_MQTT_CLIENT_ID: `${P}-${name}`,
        MW_MQTT_SHARE_GROUP: P,
        MW_MQTT_LANES: '2',
      }),
    );
  }
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await mosquitto?.stop();
  await sql.close();
});

describe('external broker (Mosquitto) with two ingest workers on one shared subscription', () => {
  it('stores every record exactly once and both workers do work', async () => {
    const publisher = await connectMqtt(mosquitto.url, { clientId: `${P}-pub` });
    const meters = 200;
    const perMeter = 10;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < perMeter; i++) {
      for (let m = 0; m < meters; m++) {
        sends.push(publisher.publishAsync(`meters/${P}-${m}/readings`, JSON.stringify({ ts: NOW - (i + 1) * 60_000, reading: i }), { qos: 1 }));
      }
    }
    // A bad message goes to one worker and is kept there with its reason.
    sends.push(publisher.publishAsync(`meters/${P}-0/readings`, '{"ts":', { qos: 1 }));
    await Promise.all(sends);
    await publisher.endAsync();
    const total = meters * perMeter;
    const stored = async () => Number((await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE meter_id LIKE '${P}-%'`))[0]!.n);
    await eventually(async () => (await stored()) === total, 30_000);
    const distinct = await sql.query<{ n: number }>(`SELECT count() n FROM (SELECT DISTINCT meter_id, ts FROM readings WHERE meter_id LIKE '${P}-%')`);
    expect(Number(distinct[0]!.n)).toBe(total);
    const [a, b] = workers.map((w) => w.tier.sink.accepted);
    expect(a! + b!).toBe(total);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(workers.reduce((n, w) => n + w.tier.sink.rejected, 0)).toBe(1);
    expect(workers.every((w) => w.tier.brokerState().state === 'up')).toBe(true);
  });
});
