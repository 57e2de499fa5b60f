import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../storage/questdb/ports.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';
import { connectMqtt, runPrefix, startTestIngest, storedKeys } from './support/ingest.ts';
import { startMosquitto } from './support/mosquitto.ts';

const sql = sharedSql();
const dirs: string[] = [];
afterAll(async () => {
  await sql.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mw-bp-'));
  dirs.push(d);
  return d;
}
const NOW = Date.now();

describe('a full spool stops acknowledgement instead of dropping', () => {
  it('embedded: acknowledges into the spool while it has room, then refuses; a restart replays the spool', async () => {
    const P = runPrefix('bp');
    const dataDir = tempDir();
    // QuestDB unreachable (nothing listens on this port) and a spool of 2 KiB.
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const env = { MW_DATA_DIR: dataDir, MW_INGEST_SPOOL_MAX: '2KiB', MW_INGEST_REPLAY_INTERVAL: '200ms' };
    const down = await startTestIngest(nowhere, sql, env);
    const client = await connectMqtt(down.mqttUrl, { clientId: `${P}-pub` });
    const acked: number[] = [];
    let closed = false;
    client.on('close', () => (closed = true));
    for (let i = 0; i < 40 && !closed; i++) {
      const ok = await Promise.race([
        client.publishAsync(`meters/${P}-M/readings`, JSON.stringify({ ts: NOW - 60_000 * (i + 1), reading: i }), { qos: 1 }).then(() => true, () => false),
        new Promise<boolean>((r) => client.once('close', () => r(false))),
      ]);
      if (ok) acked.push(i);
    }
    client.end(true);
    expect(acked.length).toBeGreaterThan(3);
    expect(acked.length).toBeLessThan(40);
    expect(closed).toBe(true); // no PUBACK: aedes closed the connection, the device will resend
    expect(down.tier.health()).toMatchObject({ storage: 'spooling', spooled: acked.length });
    const http = await down.app.inject({ method: 'POST', url: '/api/readings', payload: [{ meterId: `${P}-H`, ts: NOW - 1000, reading: 1 }] });
    expect(http.statusCode).toBe(503);
    await down.stop();

    // The spool survives the restart and is replayed into the real QuestDB.
    const up = await startTestIngest(sharedEndpoints().httpUrl, sql, env);
    try {
      await eventually(async () => up.tier.health().spooled === 0);
      await eventually(async () => (await storedKeys(sql, P)).keys.size === acked.length);
      const { keys } = await storedKeys(sql, P);
      expect(acked.every((i) => keys.has(`${P}-M|${NOW - 60_000 * (i + 1)}`))).toBe(true);
    } finally {
      await up.stop();
    }
  });

  it('external: unacknowledged messages stay with Mosquitto and are stored once the worker can make them durable', async () => {
    const P = runPrefix('bpx');
    const mosquitto = await startMosquitto();
    try {
      const env = { MW_MQTT_MODE: 'external', MW_MQTT_URL: mosquitto.url, MW_MQTT_CLIENT_ID: `${P}-w`, MW_MQTT_SHARE_GROUP: P, MW_MQTT_LANES: '1', MW_INGEST_SPOOL_MAX: '1KiB', MW_DATA_DIR: tempDir() };
      const down = await startTestIngest(`http://127.0.0.1:${await freePort()}`, sql, env);
      const publisher = await connectMqtt(mosquitto.url, { clientId: `${P}-pub` });
      for (let i = 0; i < 30; i++) await publisher.publishAsync(`meters/${P}-M/readings`, JSON.stringify({ ts: NOW - 60_000 * (i + 1), reading: i }), { qos: 1 });
      await publisher.endAsync();
      await eventually(async () => down.tier.metrics.messagesRefused > 0);
      const spooled = down.tier.health().spooled;
      expect(spooled).toBeLessThan(30);
      await down.stop();
      // Same client id (persistent session), QuestDB reachable now: Mosquitto redelivers the rest.
      const up = await startTestIngest(sharedEndpoints().httpUrl, sql, { ...env, MW_DATA_DIR: env.MW_DATA_DIR });
      try {
        await eventually(async () => (await storedKeys(sql, P)).keys.size === 30, 30_000);
      } finally {
        await up.stop();
      }
    } finally {
      await mosquitto.stop();
    }
  });

  it('replays a spool left by a previous run, setting aside only the line QuestDB refuses', async () => {
    const P = runPrefix('dead');
    const dataDir = tempDir();
    const spoolDir = join(dataDir, 'spool');
    mkdirSync(spoolDir, { recursive: true });
    const ns = (ms: number) => `${ms}000000`;
    const good = (i: number) => `readings,meter_id=${P}-M,source=mqtt reading=${i} ${ns(NOW - 60_000 * (i + 1))}\n`;
    const refused = `readings,meter_id=${P}-M,source=mqtt no_such_column=1 ${ns(NOW - 1)}\n`;
    writeFileSync(join(spoolDir, 'seg-000000000001.ilp'), good(0) + good(1) + refused + good(2) + 'readings,meter_id=torn');
    const ingest = await startTestIngest(sharedEndpoints().httpUrl, sql, { MW_DATA_DIR: dataDir, MW_INGEST_REPLAY_INTERVAL: '200ms' });
    try {
      await eventually(async () => ingest.tier.health().spooled === 0);
      await eventually(async () => (await storedKeys(sql, P)).keys.size === 3);
      expect(readFileSync(join(spoolDir, 'dead', 'refused.ilp'), 'utf8')).toBe(refused);
    } finally {
      await ingest.stop();
    }
  });
});
