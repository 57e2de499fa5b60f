/**
 * The top-of-the-hour storm (issue 5 item 3c): `meters` smart meters each send their day of
 * 24 hourly values within the same minute, over several MQTT connections with QoS 1. Measures
 * the publish rate, the time until every PUBACK, and — through a QuestDB count over PG wire —
 * the time until every record is visible (drain), and how many were lost.
 *
 *   npx tsx benchmarks/storm.ts --meters 100000 --mqtt mqtt://127.0.0.1:1883 \
 *     --pg postgres://admin:quest@127.0.0.1:8812/qdb [--url http://127.0.0.1:8080] [--window 60s]
 */
import pg from 'pg';
import { formatInZone } from '../core/time.ts';
import { MqttDriver } from '../simulators/drivers/mqtt-driver.ts';
import { HttpDriver } from '../simulators/drivers/http-driver.ts';

export interface StormOptions {
  meters: number;
  /** publishes are spread evenly over this window, ms */
  windowMs: number;
  mqttUrl: string;
  /** PG-wire URL of meterwatch's QuestDB; without it the drain is not measured */
  pgUrl?: string | undefined;
  /** meterwatch HTTP URL: the storm's meters are registered first when given */
  url?: string | undefined;
  clients: number;
  inflightPerClient: number;
  valuesPerMessage: number;
  drainTimeoutMs: number;
  timezone: string;
  /** called while waiting, e.g. to sample the server's memory */
  onTick?: () => void;
}

export interface StormResult {
  meters: number;
  records: number;
  messageBytes: number;
  publishMs: number;
  allAckedMs: number;
  publishRatePerS: number;
  drainMs: number | null;
  recordsVisible: number | null;
  lost: number | null;
  drainRecordsPerS: number | null;
  note?: string;
}

const HOUR = 3_600_000;
const meterId = (i: number) => `ST${String(i).padStart(7, '0')}`;

export async function runStorm(o: StormOptions): Promise<StormResult> {
  // the day before yesterday, shifted by a per-run millisecond so reruns are not deduplicated away
  const dayStart = Math.floor((Date.now() - 2 * 86_400_000) / 86_400_000) * 86_400_000 - 8 * HOUR;
  const shift = (Date.now() % 997) + 1;
  const from = dayStart;
  const to = dayStart + 25 * HOUR;
  if (o.url) await registerStormMeters(o);
  const pool = o.pgUrl ? new pg.Pool({ connectionString: o.pgUrl, max: 1 }) : undefined;
  const count = async () => {
    const res = await pool!.query<{ n: string }>(
      // timestamp literals, not binds: QuestDB partly ignores bind types (questdb#1980)
      `SELECT count() n FROM readings WHERE meter_id LIKE 'ST%' AND ts >= CAST(${from}000 AS TIMESTAMP) AND ts < CAST(${to}000 AS TIMESTAMP)`,
    );
    return Number(res.rows[0]?.n ?? 0);
  };
  const baseline = pool ? await count() : 0;
  const drivers = Array.from({ length: o.clients }, (_, c) => new MqttDriver({ url: o.mqttUrl, clientId: `storm-${process.pid}-${c}`, inflight: o.inflightPerClient }));
  await Promise.all(drivers.map((d) => d.connect()));
  const payloadFor = (i: number) => {
    const base = 1000 + (i % 5000);
    const values = [];
    for (let h = 1; h <= o.valuesPerMessage; h++) {
      values.push({ ts: formatInZone(dayStart + h * (24 / o.valuesPerMessage) * HOUR - 1000 + shift, o.timezone), reading: Math.round((base + h * 0.05) * 1000) / 1000, flow: 0.05, battery: 3.6 });
    }
    return JSON.stringify(values);
  };
  let bytes = 0;
  const t0 = Date.now();
  for (let i = 0; i < o.meters; i++) {
    const due = t0 + (i / o.meters) * o.windowMs;
    const wait = due - Date.now();
    if (wait > 2) await new Promise((r) => setTimeout(r, wait));
    const payload = payloadFor(i);
    bytes += payload.length;
    await drivers[i % drivers.length]!.publish(`meters/${meterId(i)}/readings`, payload);
    if (i % 5000 === 0) o.onTick?.();
  }
  const published = Date.now();
  await Promise.all(drivers.map((d) => d.drain()));
  const acked = Date.now();
  const failed = drivers.reduce((s, d) => s + d.stats.failed, 0);
  await Promise.all(drivers.map((d) => d.close()));
  const records = o.meters * o.valuesPerMessage;
  const result: StormResult = {
    meters: o.meters,
    records,
    messageBytes: bytes,
    publishMs: published - t0,
    allAckedMs: acked - t0,
    publishRatePerS: Math.round(o.meters / ((published - t0) / 1000)),
    drainMs: null,
    recordsVisible: null,
    lost: null,
    drainRecordsPerS: null,
  };
  if (failed > 0) result.note = `${failed} publishes failed`;
  if (!pool) return { ...result, note: 'no --pg: drain not measured' };
  try {
    let visible = 0;
    let last = -1;
    let lastChange = Date.now();
    // poll until everything is visible, or nothing has changed for a while past the timeout
    while (Date.now() - t0 < o.drainTimeoutMs || Date.now() - lastChange < 5_000) {
      visible = (await count()) - baseline;
      o.onTick?.();
      if (visible !== last) {
        last = visible;
        lastChange = Date.now();
      }
      if (visible >= records) break;
      if (Date.now() - lastChange > 30_000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const drained = Date.now();
    result.recordsVisible = visible;
    // nothing at all visible means nothing stores MQTT readings yet, not that everything was lost
    result.lost = visible === 0 ? null : records - visible;
    if (visible >= records) {
      result.drainMs = drained - t0;
      result.drainRecordsPerS = Math.round(records / ((drained - t0) / 1000));
    } else if (visible === 0) {
      result.note = 'no storm record became visible in QuestDB: is the ingest tier running?';
    }
    return result;
  } finally {
    await pool.end();
  }
}

async function registerStormMeters(o: StormOptions): Promise<void> {
  const http = new HttpDriver({ baseUrl: o.url!, concurrency: 4, attempts: 3, backoffMs: 200, timeoutMs: 30_000 });
  for (let i = 0; i < o.meters; i += 2000) {
    const rows = [];
    for (let j = i; j < Math.min(o.meters, i + 2000); j++) rows.push({ meterId: meterId(j), category: 'residential', kind: 'smart', spec: 'G2.5', status: 'active', district: 'STORM' });
    await http.post('/api/meters', JSON.stringify(rows));
  }
  await http.drain();
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (process.argv[1]?.endsWith('storm.ts')) {
  const window = arg('window', '60s')!;
  const windowMs = Number(window.replace(/s$/, '')) * (window.endsWith('s') ? 1000 : 1);
  runStorm({
    meters: Number(arg('meters', '100000')),
    windowMs,
    mqttUrl: arg('mqtt', 'mqtt://127.0.0.1:1883')!,
    pgUrl: arg('pg'),
    url: arg('url'),
    clients: Number(arg('clients', '8')),
    inflightPerClient: Number(arg('inflight', '500')),
    valuesPerMessage: Number(arg('values', '24')),
    drainTimeoutMs: Number(arg('drain-timeout', '300000')),
    timezone: arg('timezone', 'Asia/Shanghai')!,
  }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`storm: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
