import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { FastifyInstance } from 'fastify';
import { TypedBus } from '../../core/bus.ts';
import { loadConfig, type Config } from '../../core/config/index.ts';
import type { MeterwatchEvents } from '../../core/events.ts';
import { silentLogger } from '../../core/logger.ts';
import { buildApp } from '../../dashboard/app.ts';
import { startIngestTier, type IngestTier } from '../../ingest/ingest-tier.ts';
import { freePort } from '../../storage/questdb/ports.ts';
import type { SqlClient } from '../../storage/sql.ts';

export interface TestIngest {
  tier: IngestTier;
  app: FastifyInstance;
  bus: TypedBus<MeterwatchEvents>;
  config: Config;
  mqttUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** The ingest tier on free loopback ports with a temporary data directory, plus its HTTP app (app.inject). */
export async function startTestIngest(
  questdbHttpUrl: string,
  sql: SqlClient,
  env: Record<string, string> = {},
  knownMeter?: (meterId: string) => boolean | undefined,
): Promise<TestIngest> {
  const dataDir = env.MW_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'mw-ingest-'));
  const config = loadConfig({}, { MW_DATA_DIR: dataDir, MW_MQTT_HOST: '127.0.0.1', MW_HTTP_HOST: '127.0.0.1', MW_MQTT_PORT: String(await freePort()), ...env });
  const log = silentLogger();
  const bus = new TypedBus<MeterwatchEvents>(log);
  const tier = await startIngestTier({ config, questdbHttpUrl, bus, log, knownMeter });
  const app = await buildApp({
    log,
    health: { broker: () => ({ ...tier.brokerState() }), storage: () => ({ state: 'up' }), ingest: () => tier.health() },
    ingest: { ingest: tier.service, sql, apiToken: tier.apiToken, metrics: () => tier.metricsText(), maxBodyBytes: config.ingest.maxPayloadBytes },
  });
  return {
    tier,
    app,
    bus,
    config,
    mqttUrl: `mqtt://127.0.0.1:${config.mqtt.port}`,
    dataDir,
    async stop() {
      await app.close();
      await tier.stop();
      if (!env.MW_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function connectMqtt(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/** A unique prefix so tests sharing one QuestDB never see each other's meters. */
export function runPrefix(name: string): string {
  return `${name}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export interface SteadyPublisher {
  /** `meterId|ts` of every reading whose message the broker acknowledged (PUBACK). */
  readonly acked: Set<string>;
  readonly sent: number;
  stop(): Promise<void>;
}

/**
 * Publishes one QoS 1 reading every `intervalMs` across `meters` meters, reconnecting when
 * the broker goes away, and remembers which ones were acknowledged.
 */
export function steadyPublisher(url: string, prefix: string, opts: { intervalMs: number; meters: number; clientId: string }): SteadyPublisher {
  const client = mqtt.connect(url, { clientId: opts.clientId, reconnectPeriod: 200, connectTimeout: 2_000, clean: true });
  client.on('error', () => undefined);
  const acked = new Set<string>();
  let sent = 0;
  const base = Date.now() - 86_400_000;
  const timer = setInterval(() => {
    const meterId = `${prefix}-${sent % opts.meters}`;
    const ts = base + sent;
    sent++;
    if (!client.connected) return;
    client.publish(`meters/${meterId}/readings`, JSON.stringify({ ts, reading: sent }), { qos: 1 }, (err) => {
      if (!err) acked.add(`${meterId}|${ts}`);
    });
  }, opts.intervalMs);
  return {
    acked,
    get sent() {
      return sent;
    },
    async stop() {
      clearInterval(timer);
      await new Promise((r) => setTimeout(r, 500));
      await client.endAsync(true);
    },
  };
}

/** Every `meterId|ts` stored for meters with this prefix, and the row count (to see duplicates). */
export async function storedKeys(sql: SqlClient, prefix: string): Promise<{ keys: Set<string>; rows: number }> {
  const rows = await sql.query<{ meter_id: string; ts: number }>(`SELECT meter_id, ts FROM readings WHERE meter_id LIKE '${prefix}-%'`);
  return { keys: new Set(rows.map((r) => `${r.meter_id}|${r.ts}`)), rows: rows.length };
}
