import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../core/logger.ts';
import { isValidId } from '../core/ids.ts';
import { parseTimestamp } from '../core/time.ts';
import { ESTIMATE_REASONS, METER_CATEGORIES, METER_KINDS, METER_STATUSES, READING_FLAGS } from '../core/types.ts';
import { EmbeddedBroker } from '../ingest/broker/embedded-broker.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { runSimulation, type SimulationSummary } from '../simulators/run-simulation.ts';
import { eventually } from './support/questdb.ts';

// Message shapes of interface.md §1–§2, strict: an unknown field is an error.
const id = z.string().refine(isValidId, 'identifier');
const timestamp = z.union([z.string(), z.number()]).refine((v) => parseTimestamp(v) !== undefined, 'timestamp with offset or epoch ms');
const meterRecord = z.strictObject({
  ts: timestamp,
  reading: z.number().finite().min(0),
  flow: z.number().min(0).optional(),
  battery: z.number().optional(),
  balance: z.number().optional(),
  valve: z.enum(['open', 'closed']).optional(),
  flags: z.array(z.enum(READING_FLAGS)).optional(),
});
const handheldBody = z.strictObject({
  readerId: id,
  route: z.string().min(1),
  records: z.array(
    z.strictObject({ meterId: id, ts: timestamp, reading: z.number().finite().min(0), estimated: z.boolean(), estimateReason: z.enum(ESTIMATE_REASONS).nullable(), note: z.string() }),
  ).min(1),
});
const registryRow = z.looseObject({
  meterId: id,
  category: z.enum(METER_CATEGORIES),
  kind: z.enum(METER_KINDS),
  status: z.enum(METER_STATUSES),
  spec: z.string().regex(/^G\d+(\.\d+)?$/),
  district: z.string(),
  parentMeterId: id.optional(),
});

const NOW = Date.parse('2026-11-27T09:00:00+08:00');
const dir = mkdtempSync(join(tmpdir(), 'mw-sim-'));
let broker: EmbeddedBroker;
let http: Server;
let httpPort = 0;
const posts: { url: string; type: string; body: string }[] = [];
const received: { topic: string; payload: string }[] = [];
let subscriber: mqtt.MqttClient;

beforeAll(async () => {
  broker = new EmbeddedBroker({ host: '127.0.0.1', port: await freePort(), log: silentLogger() });
  await broker.start();
  // a real HTTP server standing in for the endpoints other issues build: it records and accepts
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: 0, rejected: [] }));
    });
  });
  httpPort = await freePort();
  await new Promise<void>((r) => http.listen(httpPort, '127.0.0.1', r));
  subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'test-subscriber', protocolVersion: 4 });
  subscriber.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await subscriber.subscribeAsync(['meters/+/readings', 'handheld/+/uploads'], { qos: 1 });
});

afterAll(async () => {
  await subscriber?.endAsync();
  await broker?.stop();
  await new Promise((r) => http?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('simulator MQTT driver against the embedded broker', () => {
  let summary: SimulationSummary;
  const truthPath = join(dir, 'truth.jsonl');

  it('publishes every message with QoS 1 and the broker delivers all of them', async () => {
    summary = await runSimulation({
      meters: 150,
      months: 1,
      faultShare: 0.1,
      seed: 5,
      url: `http://127.0.0.1:${httpPort}`,
      mqttUrl: `mqtt://127.0.0.1:${broker.port}`,
      truthPath,
      mode: 'backfill',
      rate: 1,
      catchUpMs: 0,
      concurrency: 4,
      inflight: 100,
      batchRecords: 500,
      registry: true,
      timezone: 'Asia/Shanghai',
      now: NOW,
      progress: false,
      log: silentLogger(),
    });
    expect(summary.mqtt!.published).toBeGreaterThan(1000);
    expect(summary.mqtt!.acked).toBe(summary.mqtt!.published);
    expect(summary.mqtt!.failed).toBe(0);
    await eventually(async () => received.length === summary.mqtt!.published, 20_000);
  });

  it('meter messages conform to interface.md §1: smart meters send 24 hourly values a day, IC meters one with balance', () => {
    const meterMessages = received.filter((m) => m.topic.startsWith('meters/'));
    expect(meterMessages.length).toBe(summary.sent.meterMessages);
    let smartDays = 0;
    let icDays = 0;
    for (const m of meterMessages) {
      const meterId = m.topic.split('/')[1]!;
      expect(isValidId(meterId)).toBe(true);
      const body: unknown = JSON.parse(m.payload);
      const records = z.union([z.array(meterRecord), meterRecord]).parse(body);
      const list = Array.isArray(records) ? records : [records];
      if (list.length === 24) smartDays++;
      if (list.length === 1 && list[0]!.balance !== undefined) icDays++;
      for (const r of list) expect(parseTimestamp(r.ts)!).toBeLessThanOrEqual(NOW);
      const ts = list.map((r) => parseTimestamp(r.ts)!);
      expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    }
    expect(smartDays).toBeGreaterThan(100);
    expect(icDays).toBeGreaterThan(100);
  });

  it('handheld uploads go by MQTT, HTTP JSON and HTTP CSV, and conform to interface.md', () => {
    const viaMqtt = received.filter((m) => m.topic.startsWith('handheld/'));
    for (const m of viaMqtt) handheldBody.parse(JSON.parse(m.payload));
    const json = posts.filter((p) => p.url === '/api/handheld/uploads');
    for (const p of json) handheldBody.parse(JSON.parse(p.body));
    const csv = posts.filter((p) => p.url.startsWith('/api/handheld/uploads?'));
    for (const p of csv) {
      expect(p.type).toBe('text/csv');
      const q = new URL(p.url, 'http://x').searchParams;
      expect(isValidId(q.get('readerId'))).toBe(true);
      expect(q.get('route')).toBeTruthy();
      const [header, ...rows] = p.body.trim().split('\n');
      expect(header).toBe('meterId,ts,reading,estimated,estimateReason,note');
      for (const row of rows) expect(row).toMatch(/^[A-Za-z0-9._-]+,\d+,\d+(\.\d+)?,(true|false),[a-z_]*,.*$/);
    }
    expect(viaMqtt.length + json.length + csv.length).toBe(summary.sent.handheldUploads);
    expect(summary.sent.handheldRecords).toBeGreaterThan(0);
  });

  it('uploads the registry first, as JSON arrays of interface.md registry rows', () => {
    const registry = posts.filter((p) => p.url === '/api/meters');
    const rows = registry.flatMap((p) => z.array(registryRow).parse(JSON.parse(p.body)));
    expect(rows).toHaveLength(summary.meters);
    expect(posts[0]!.url).toBe('/api/meters');
  });

  it('with transport http, a gateway posts the same records to POST /api/readings in batches', async () => {
    posts.length = 0;
    const http = await runSimulation({
      meters: 60,
      months: 1,
      faultShare: 0,
      seed: 6,
      url: `http://127.0.0.1:${httpPort}`,
      transport: 'http',
      mode: 'backfill',
      rate: 1,
      catchUpMs: 0,
      concurrency: 2,
      inflight: 10,
      batchRecords: 500,
      registry: false,
      timezone: 'Asia/Shanghai',
      now: NOW,
      progress: false,
      log: silentLogger(),
    });
    const batches = posts.filter((p) => p.url === '/api/readings').map((p) => z.array(meterRecord.extend({ meterId: id })).parse(JSON.parse(p.body)));
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.length <= 500 + 24)).toBe(true);
    expect(batches.flat()).toHaveLength(http.sent.readings);
    expect(http.http.ok).toBe(http.http.requests);
  });

  it('writes the ground truth as JSON lines', () => {
    const lines = readFileSync(truthPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; rule: string; meterId: string });
    expect(lines.length).toBe(summary.truthLines);
    expect(lines.filter((l) => l.kind === 'fault').length).toBeGreaterThanOrEqual(10);
    expect(lines.every((l) => isValidId(l.meterId) && typeof l.rule === 'string')).toBe(true);
  });
});
