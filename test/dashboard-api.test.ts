import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { TypedBus } from '../core/bus.ts';
import { loadConfig } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { buildApp } from '../dashboard/app.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { RegistryRepo } from '../storage/registry/registry-repo.ts';
import { ReplacementsRepo } from '../storage/registry/replacements-repo.ts';
import { buildFleet, seedFleet, type Fleet } from './support/dashboard-fleet.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';

/**
 * The dashboard's API additions through app.inject against the shared QuestDB: gas loss
 * (checked against the per-meter usage API, which test/usage-monthly.test.ts checks against
 * the reference model), XLSX headers per language, probes, OpenAPI, the no-CDN page shell.
 */
const sql = sharedSql();
const { httpUrl } = sharedEndpoints();
const log = silentLogger();
const config = loadConfig({ MW_ANALYTICS_SCHEDULE: '0' });
const zone = config.general.timezone;
const bus = new TypedBus<MeterwatchEvents>(log);
const analytics = new AnalyticsService({ sql, httpUrl, bus, config, log });
const registry = new RegistryRepo(sql, httpUrl, log);
const replacements = new ReplacementsRepo(sql, httpUrl);
const health = (storage: string) => ({ broker: () => ({ state: 'up' }), storage: () => ({ state: storage }), ingest: () => ({ accepted: 0, rejected: 0, pending: 0, spooled: 0 }) });
const fleet: Fleet = buildFleet(zone, undefined, { idPrefix: 'DA', districtPrefix: '测试' });
const JB = '测试江北区';
let app: Awaited<ReturnType<typeof buildApp>>;

type Json = Record<string, unknown>;
const get = async (url: string) => (await app.inject({ url })).json() as Json;

beforeAll(async () => {
  app = await buildApp({
    log,
    health: health('up'),
    meters: { registry, replacements, zone, bus },
    meterData: { sql, replacements, zone },
    bus,
    zone,
    alerts: { sql, analytics, zone },
    loss: { sql, zone },
  });
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  await seedFleet(`http://127.0.0.1:${port}`, httpUrl, fleet);
  await analytics.start();
  await app.inject({ method: 'POST', url: '/api/analytics/run', payload: { asOf: Date.now() } });
  await eventually(async () => (await sql.query(`SELECT id FROM alerts WHERE meter_id = 'DAYZ-B01'`)).length > 0, 60_000);
}, 300_000);

afterAll(async () => {
  await app.close();
  await analytics.stop();
  await sql.close();
});

/** Month usage of one meter from the per-meter API, keyed by YYYY-MM. */
async function usageOf(meterId: string, from: string, to: string): Promise<Map<string, number>> {
  const body = await get(`/api/meters/${meterId}/usage?granularity=month&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  return new Map((body.periods as { start: string; usage: number | null }[]).map((p) => [p.start.slice(0, 7), p.usage ?? 0]));
}

describe('gas loss API', () => {
  const to = DateTime.now().setZone(zone).startOf('month');
  const from = to.minus({ months: 6 });

  it('district loss = supply meter minus billed customers (bulk check meter left out), per month', async () => {
    const body = await get(`/api/loss/districts?from=${encodeURIComponent(from.toISO()!)}&to=${encodeURIComponent(to.toISO()!)}`);
    const d = (body.districts as { district: string; months: { month: string; supply: number; customers: number; loss: number; lossShare: number; minCoverage: number }[] }[]).find((x) => x.district === JB)!;
    expect(d.months).toHaveLength(6);
    const meters = fleet.meters.filter((m) => m.district === JB);
    const supplyId = meters.find((m) => m.category === 'supply')!.meterId;
    const billed = meters.filter((m) => m.category !== 'supply' && m.category !== 'residential_bulk');
    expect(billed).toHaveLength(11);
    const supply = await usageOf(supplyId, from.toISO()!, to.toISO()!);
    const customers = new Map<string, number>();
    for (const m of billed) for (const [month, u] of await usageOf(m.meterId, from.toISO()!, to.toISO()!)) customers.set(month, (customers.get(month) ?? 0) + u);
    for (const m of d.months) {
      expect(m.supply).toBeCloseTo(supply.get(m.month)!, 2);
      expect(m.customers).toBeCloseTo(customers.get(m.month)!, 2);
      expect(m.loss).toBeCloseTo(m.supply - m.customers, 2);
      // The fleet meters 4 % ± 1.5 % more into the district than its customers use.
      expect(m.lossShare).toBeGreaterThan(0.02);
      expect(m.lossShare).toBeLessThan(0.06);
      expect(m.minCoverage).toBe(1);
    }
  });

  it('bulk meters: household sum vs bulk usage, worst first, limited, the growing loss visible', async () => {
    const q = `from=${encodeURIComponent(from.toISO()!)}&to=${encodeURIComponent(to.toISO()!)}`;
    const body = await get(`/api/loss/bulk-meters?${q}&limit=1000`);
    const items = (body.items as { bulkMeterId: string; householdMeters: number; total: { lossShare: number }; months: { month: string; bulk: number; households: number; lossShare: number }[] }[]).filter((i) => i.bulkMeterId.startsWith('DA'));
    expect(items.map((i) => i.bulkMeterId)).toEqual(['DAYZ-B01', 'DAJB-B01']);
    const yz = items[0]!;
    expect(yz.householdMeters).toBe(6);
    const bulk = await usageOf('DAYZ-B01', from.toISO()!, to.toISO()!);
    const households = new Map<string, number>();
    for (let h = 1; h <= 6; h++) for (const [month, u] of await usageOf(`DAYZ-H0${h}`, from.toISO()!, to.toISO()!)) households.set(month, (households.get(month) ?? 0) + u);
    for (const m of yz.months) {
      expect(m.bulk).toBeCloseTo(bulk.get(m.month)!, 2);
      expect(m.households).toBeCloseTo(households.get(m.month)!, 2);
    }
    // District 2's bulk loss grows month by month past 8 %; district 1's stays at 3 %.
    const shares = yz.months.map((m) => m.lossShare);
    expect(shares.at(-1)!).toBeGreaterThan(0.08);
    expect(shares.at(-1)!).toBeGreaterThan(shares[0]!);
    for (const m of items[1]!.months) expect(m.lossShare).toBeCloseTo(0.03, 3);
    const one = await get(`/api/loss/bulk-meters?${q}&bulkMeterId=DAJB-B01`);
    expect((one.items as unknown[]).length).toBe(1);
  });

  it('refuses bad parameters naming field and value', async () => {
    const bad = await app.inject({ url: '/api/loss/bulk-meters?limit=0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'limit', value: '0' });
    const range = await app.inject({ url: '/api/loss/districts?from=yesterday' });
    expect(range.statusCode).toBe(400);
    expect(range.json()).toMatchObject({ field: 'from', value: 'yesterday' });
  });
});

describe('readings aggregated in the database for long ranges', () => {
  it('answers at most `points` buckets whose last register is the last read of the bucket', async () => {
    const reads = fleet.readings.filter((r) => r.meterId === 'DAJB-C01');
    const from = reads[0]!.ts;
    const to = reads.at(-1)!.ts + 1;
    const body = (await get(`/api/meters/DAJB-C01/readings/sampled?from=${from}&to=${to}&points=50`)) as { bucketSeconds: number; items: { last: number; count: number }[] };
    expect(body.items.length).toBeLessThanOrEqual(50);
    expect(body.items.length).toBeGreaterThan(40);
    expect(body.items.reduce((s, i) => s + i.count, 0)).toBe(reads.length);
    expect(body.items.at(-1)!.last).toBe(reads.at(-1)!.reading);
    expect((await app.inject({ url: '/api/meters/DAJB-C01/readings/sampled?points=5' })).json()).toMatchObject({ field: 'points', value: '5' });
  });
});

describe('exports, probes, docs and the page shell', () => {
  it('XLSX headers follow lang; a bad lang or format is refused', async () => {
    for (const [lang, first] of [['zh', '片区'], ['en', 'District']] as const) {
      const res = await app.inject({ url: `/api/alerts?meterId=DAYZ-B01&format=xlsx&lang=${lang}` });
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      expect((sheet.getRow(1).values as unknown[])[1]).toBe(first);
      const json = await get('/api/alerts?meterId=DAYZ-B01');
      expect(sheet.rowCount - 1).toBe((json.items as unknown[]).length);
    }
    const badLang = await app.inject({ url: '/api/alerts?format=xlsx&lang=fr' });
    expect(badLang.statusCode).toBe(400);
    expect(badLang.json()).toMatchObject({ field: 'lang', value: 'fr' });
    expect((await app.inject({ url: '/api/alerts?format=pdf' })).json()).toMatchObject({ field: 'format', value: 'pdf' });
  });

  it('/healthz is live; /readyz follows storage', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const down = await buildApp({ log, health: health('down'), ui: false });
    const res = await down.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'not ready', storage: 'down' });
    await down.close();
  });

  it('with API users, the alert stream takes the token in the query (browsers send no WebSocket headers)', async () => {
    const secured = await buildApp({ log, health: health('up'), bus, zone, ui: false, access: { users: [{ name: 'ana', role: 'analyst', token: 'token-of-ana-0123456789' }] } });
    await secured.ready();
    const refused = await secured.inject({ url: '/api/alerts/stream' });
    expect(refused.statusCode).toBe(401);
    const ws = await secured.injectWS('/api/alerts/stream?token=token-of-ana-0123456789');
    const got = new Promise<Record<string, unknown>>((res) => ws.on('message', (d: Buffer) => res(JSON.parse(d.toString()) as Record<string, unknown>)));
    bus.emit('alert.raised', { alert: { id: 'x1', raisedAt: Date.now(), updatedAt: Date.now(), meterId: 'DAJB-R01', rule: 'tamper', severity: 'critical', periodStart: Date.now(), periodEnd: Date.now(), value: 1, threshold: 1, score: 9, message: 'test', status: 'open' } as never });
    expect(await got).toMatchObject({ id: 'x1', meterId: 'DAJB-R01' });
    ws.terminate();
    await secured.close();
  });

  it('serves OpenAPI at /docs listing the routes', async () => {
    const spec = await get('/docs/json');
    const paths = Object.keys(spec.paths as Json);
    for (const p of ['/api/alerts', '/api/loss/districts', '/api/loss/bulk-meters', '/api/config', '/healthz', '/readyz', '/api/meters/{meterId}/usage', '/api/meters/{meterId}/readings/sampled']) expect(paths).toContain(p);
    const ui = await app.inject({ url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui-bundle.js');
    expect(ui.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
    expect((await app.inject({ url: '/docs/static/swagger-ui-bundle.js' })).statusCode).toBe(200);
  });

  it('serves the pages and echarts locally: no CDN', async () => {
    const index = await app.inject({ url: '/' });
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.body).not.toMatch(/https?:\/\//);
    expect(index.body).toContain('/vendor/echarts.min.js');
    const echarts = await app.inject({ url: '/vendor/echarts.min.js' });
    expect(echarts.statusCode).toBe(200);
    expect(echarts.body.length).toBeGreaterThan(500_000);
    expect((await app.inject({ url: '/vendor/echarts.js' })).statusCode).toBe(404);
    expect(await get('/api/config')).toMatchObject({ timezone: zone });
    const areas = await get('/api/registry/areas');
    expect(areas.districts).toContain(JB);
  });
});
