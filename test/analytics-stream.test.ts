import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TypedBus } from '../core/bus.ts';
import { loadConfig } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import type { Reading } from '../core/types.ts';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { buildApp } from '../dashboard/app.ts';
import { registryLine, writeIlp } from './support/ilp.ts';
import { eventually, sharedSql } from './support/questdb.ts';

const sql = sharedSql();
const bus = new TypedBus<MeterwatchEvents>(silentLogger());
const config = loadConfig({ MW_ANALYTICS_SCHEDULE: '0' });
const service = new AnalyticsService({ sql, httpUrl: inject('questdbHttpUrl'), bus, config, log: silentLogger() });
let app: Awaited<ReturnType<typeof buildApp>>;
const P = 'ST-';
const T0 = Date.parse('2026-11-20T00:00:00Z');
const reading = (meterId: string, ts: number, value: number, over: Partial<Reading> = {}): Reading => ({ meterId, ts, reading: value, source: 'mqtt', receivedAt: Date.now(), ...over });

beforeAll(async () => {
  await writeIlp([registryLine({ meterId: `${P}G4`, ts: T0 - 86_400_000, category: 'residential', kind: 'smart', status: 'active', qmax: 6 })]);
  await eventually(async () => (await sql.query(`SELECT * FROM meter_registry WHERE meter_id = '${P}G4'`)).length === 1, 60_000);
  await service.start();
  app = await buildApp({
    log: silentLogger(),
    health: { broker: () => ({ state: 'up' }), storage: () => ({ state: 'up' }), ingest: () => ({ accepted: 0, rejected: 0, pending: 0, spooled: 0 }) },
    bus,
    zone: config.general.timezone,
    alerts: { sql, analytics: service, zone: config.general.timezone },
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await service.stop();
  await sql.close();
});

describe('stream rules from the bus to the WebSocket', () => {
  it('pushes a tamper alert to a WebSocket client as the reading is accepted, once', async () => {
    const ws = await app.injectWS('/api/alerts/stream');
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
    const r = reading(`${P}G4`, T0, 10, { flags: ['tamper'] });
    bus.emit('readings.accepted', { readings: [r] });
    bus.emit('readings.accepted', { readings: [r] }); // redelivered
    await eventually(async () => messages.length >= 1, 10_000, 20);
    await new Promise((res) => setTimeout(res, 300));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ meterId: `${P}G4`, rule: 'tamper', severity: 'critical', status: 'open', periodStart: '2026-11-20T00:00:00+08:00' });
    ws.terminate();
  });

  it('judges a jump against the registry Qmax and a backwards register by event time', async () => {
    const got: string[] = [];
    const off = bus.on('alert.raised', ({ alert }) => void got.push(`${alert.rule}:${alert.value}`));
    // One alert per meter, rule and day: the backwards read comes the next day.
    bus.emit('readings.accepted', { readings: [reading(`${P}G4`, T0 + 3_600_000, 80), reading(`${P}G4`, T0 + 86_400_000, 79)] });
    await eventually(async () => got.length >= 2, 10_000, 20);
    off();
    expect(got.sort()).toEqual(['broken_meter:1', 'broken_meter:70']);
  });

  it('serves the stored alerts on GET /api/alerts with filters and CSV', async () => {
    await eventually(async () => {
      const res = await app.inject({ url: `/api/alerts?meterId=${P}G4&rule=tamper` });
      return (res.json() as { items: unknown[] }).items.length === 1;
    }, 30_000);
    const csv = await app.inject({ url: `/api/alerts?meterId=${P}G4&format=csv` });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.startsWith('\uFEFFid,raisedAt,meterId')).toBe(true);
    const bad = await app.inject({ url: '/api/alerts?rule=nonsense' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'rule', value: 'nonsense' });
  });

  it('pages with a cursor until the last page, which has no next', async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await app.inject({ url: `/api/alerts?meterId=${P}G4&limit=1${cursor ? `&cursor=${cursor}` : ''}` });
      const body = res.json() as { items: { id: string }[]; next?: string };
      body.items.forEach((a) => seen.add(a.id));
      cursor = body.next;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.size).toBe(3);
    expect(pages).toBe(3);
  });
});

describe('MW_ANALYTICS_STREAM=false', () => {
  it('leaves readings to the batch pass: no stream alert, no registry copy', async () => {
    const quietBus = new TypedBus<MeterwatchEvents>(silentLogger());
    const off = new AnalyticsService({ sql, httpUrl: inject('questdbHttpUrl'), bus: quietBus, config: loadConfig({ MW_ANALYTICS_SCHEDULE: '0', MW_ANALYTICS_STREAM: 'false' }), log: silentLogger() });
    const got: string[] = [];
    quietBus.on('alert.raised', ({ alert }) => void got.push(alert.rule));
    await off.start();
    try {
      quietBus.emit('readings.accepted', { readings: [reading(`${P}G4`, T0 + 5 * 86_400_000, 10, { flags: ['tamper'] })] });
      await new Promise((res) => setTimeout(res, 500));
      expect(got).toEqual([]);
      expect(off.registry.size).toBe(0);
      expect(off.stream.stats.readings).toBe(0);
    } finally {
      await off.stop();
    }
  });
});
