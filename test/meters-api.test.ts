import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.ts';
import { buildApp } from '../dashboard/app.ts';
import { RegistryRepo } from '../storage/registry/registry-repo.ts';
import { ReplacementsRepo } from '../storage/registry/replacements-repo.ts';
import { loadReadings } from './support/load-readings.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';

const zone = 'Asia/Shanghai';
const t = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
const sql = sharedSql();
const { httpUrl } = sharedEndpoints();
const registry = new RegistryRepo(sql, httpUrl, silentLogger(), 0);
const replacements = new ReplacementsRepo(sql, httpUrl);
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({
    log: silentLogger(),
    health: { broker: () => ({ state: 'up' }), storage: () => ({ state: 'up' }), ingest: () => ({ accepted: 0, rejected: 0, pending: 0, spooled: 0 }) },
    meters: { registry, replacements, zone },
    meterData: { sql, replacements, zone },
  });
});
afterAll(async () => {
  await app.close();
  await sql.close();
});

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload: body as object, headers });
const postCsv = (url: string, body: Buffer | string) => app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'text/csv' } });
const get = async (url: string) => {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as Record<string, any> };
};

describe('POST /api/meters', () => {
  it('writes the good rows, reports each bad one with row, field and value, and derives qmax', async () => {
    const res = await postJson(
      '/api/meters',
      [
        { meterId: 'API-A1', customerName: '李四', address: '人民路 8 号', category: 'residential', kind: 'smart', spec: 'G4', status: 'active' },
        { meterId: 'API-A2', category: 'commercial', spec: 'G16', qmax: 30 },
        { meterId: 'API-A3', households: '12', status: 'burning' },
      ],
      { 'x-actor': 'clerk-07' },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      written: 2,
      rejected: [
        { row: 3, field: 'households', value: '12', reason: expect.any(String) },
        { row: 3, field: 'status', value: 'burning', reason: expect.stringContaining('vacant') },
      ],
    });
    const a1 = await get('/api/meters/API-A1');
    expect(a1.status).toBe(200);
    expect(a1.body.meter).toMatchObject({ meterId: 'API-A1', customerName: '李四', address: '人民路 8 号', spec: 'G4', qmax: 6, changedBy: 'clerk-07' });
    expect(a1.body.customer).toMatchObject({ customerName: '李四', category: 'residential' });
    expect(a1.body.status.current).toBe('active');
    expect(a1.body.classes).toEqual({ largeFlow: { member: false }, highMonthlyUsage: { member: false }, blacklist: { member: false }, ledger: { open: false, cases: [] } });
    expect((await get('/api/meters/API-A2')).body.meter.qmax).toBe(30);
    expect((await get('/api/meters/API-A3')).status).toBe(404);
    expect(await registry.knownMeter('API-A1')).toBe(true);
    expect(await registry.knownMeter('API-A3')).toBe(false);
  });

  it('accepts a JSON body that starts with a UTF-8 BOM', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([{ meterId: 'API-J1', customerName: '赵六' }]), 'utf8')]);
    const res = await app.inject({ method: 'POST', url: '/api/meters', payload: body, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect((await get('/api/meters/API-J1')).body.meter.customerName).toBe('赵六');
  });

  it('with atomic=true a single bad row writes nothing', async () => {
    const res = await postJson('/api/meters?atomic=true', [{ meterId: 'API-B1', spec: 'G4' }, { meterId: 'bad id!' }]);
    expect(res.statusCode).toBe(400);
    expect(res.json().rejected).toEqual([{ row: 2, field: 'meterId', value: 'bad id!', reason: expect.any(String) }]);
    expect((await get('/api/meters/API-B1')).status).toBe(404);
  });

  it('accepts CSV with a BOM, keeps Chinese intact, and answers the state at any past date', async () => {
    const csv =
      '\uFEFFmeterId,customerName,address,category,status,spec,effectiveAt\n' +
      'API-C1,王小明,"幸福路 3 号, 1 单元",residential,active,G2.5,2026-01-05T00:00:00+08:00\n' +
      'API-C1,,,,vacant,,2026-03-01T00:00:00+08:00\n' +
      'API-C1,,,,active,,2026-05-10T00:00:00+08:00\n';
    const res = await postCsv('/api/meters', Buffer.from(csv, 'utf8'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ written: 3, rejected: [] });
    const april = await get(`/api/meters/API-C1?asOf=${encodeURIComponent('2026-04-15T00:00:00+08:00')}`);
    expect(april.body.status).toEqual({ current: 'vacant', since: '2026-03-01T00:00:00+08:00' });
    // Untouched fields carry over from the earlier version.
    expect(april.body.meter).toMatchObject({ customerName: '王小明', address: '幸福路 3 号, 1 单元', qmax: 4 });
    const june = await get(`/api/meters/API-C1?asOf=${encodeURIComponent('2026-06-01T00:00:00+08:00')}`);
    expect(june.body.status.current).toBe('active');
    expect((await get(`/api/meters/API-C1?asOf=${encodeURIComponent('2025-12-31T00:00:00+08:00')}`)).status).toBe(404);
    const history = await get('/api/meters/API-C1/history');
    expect(history.body.statusHistory).toEqual([
      { status: 'active', from: '2026-01-05T00:00:00+08:00', to: '2026-03-01T00:00:00+08:00', changedBy: 'api' },
      { status: 'vacant', from: '2026-03-01T00:00:00+08:00', to: '2026-05-10T00:00:00+08:00', changedBy: 'api' },
      { status: 'active', from: '2026-05-10T00:00:00+08:00', to: null, changedBy: 'api' },
    ]);
  });

  it('refuses CSV that is not UTF-8 and CSV with unknown columns, naming them', async () => {
    const gbk = Buffer.concat([Buffer.from('meterId,customerName\nAPI-D1,'), Buffer.from([0xcd, 0xf5]), Buffer.from('\n')]);
    const res = await postCsv('/api/meters', gbk);
    expect(res.statusCode).toBe(400);
    expect(res.json().reason).toContain('UTF-8');
    const unknown = await postCsv('/api/meters', 'meterId,colour\nAPI-D2,red\n');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ field: '(header)', value: 'colour' });
    expect((await get('/api/meters/API-D1')).status).toBe(404);
  });

  it('links a bulk meter with its household meters in both directions', async () => {
    const res = await postJson('/api/meters', [
      { meterId: 'API-BULK', category: 'residential_bulk', households: 2, propertyCompany: '绿城物业', spec: 'G25' },
      { meterId: 'API-H1', category: 'residential', parentMeterId: 'API-BULK', status: 'active' },
      { meterId: 'API-H2', category: 'residential', parentMeterId: 'API-BULK', status: 'vacant' },
    ]);
    expect(res.json().written).toBe(3);
    const bulk = await get('/api/meters/API-BULK');
    expect(bulk.body.households.map((h: { meterId: string }) => h.meterId)).toEqual(['API-H1', 'API-H2']);
    expect(bulk.body.parent).toBeNull();
    const h2 = await get('/api/meters/API-H2');
    expect(h2.body.parent).toMatchObject({ meterId: 'API-BULK', category: 'residential_bulk' });
    // H1 moves off the bulk meter (one-household-one-meter retrofit): gone from now on, still there before.
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    expect((await postJson('/api/meters', [{ meterId: 'API-H1', parentMeterId: null }])).json().written).toBe(1);
    expect((await get('/api/meters/API-BULK')).body.households.map((h: { meterId: string }) => h.meterId)).toEqual(['API-H2']);
    expect((await get(`/api/meters/API-BULK?asOf=${before}`)).body.households.map((h: { meterId: string }) => h.meterId)).toEqual(['API-H1', 'API-H2']);
  });
});

describe('readings, replacements and usage of one meter', () => {
  const meterId = 'API-U1';
  const reads = [
    { ts: t('2025-01-17T10:00'), reading: 10 },
    { ts: t('2025-02-17T10:00'), reading: 41 },
    { ts: t('2026-01-17T10:00'), reading: 500 },
    { ts: t('2026-02-17T10:00'), reading: 531, estimated: true },
    { ts: t('2026-03-17T10:00'), reading: 16 }, // new meter since 1 March
  ];

  beforeAll(async () => {
    expect((await postJson('/api/meters', [{ meterId, category: 'commercial', spec: 'G6' }])).statusCode).toBe(200);
    await loadReadings(httpUrl, reads.map((r) => ({ meterId, ...r })));
    await eventually(async () => (await get(`/api/meters/${meterId}/readings?from=0`)).body.items?.length === reads.length);
  });

  it('records a replacement and refuses a bad one, naming the field', async () => {
    const bad = await postJson(`/api/meters/${meterId}/replacements`, { ts: '2026-03-01', finalReading: -1, newReading: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().rejected.map((p: { field: string }) => p.field)).toEqual(['ts', 'finalReading']);
    const ok = await postJson(`/api/meters/${meterId}/replacements`, { ts: '2026-03-01T00:00:00+08:00', finalReading: 540, newReading: 0 });
    expect(ok.statusCode).toBe(201);
    expect((await postJson('/api/meters/NOPE-1/replacements', { ts: 0, finalReading: 1, newReading: 0 })).statusCode).toBe(404);
  });

  it('gives month usage pro-rated at the edges, with the same month a year earlier and estimated marks', async () => {
    const { status, body } = await get(`/api/meters/${meterId}/usage?granularity=month&from=${encodeURIComponent('2026-02-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-03-01T00:00:00+08:00')}`);
    expect(status).toBe(200);
    expect(body.granularity).toBe('month');
    expect(body.periods).toHaveLength(1);
    const feb = body.periods[0];
    expect(feb).toMatchObject({ start: '2026-02-01T00:00:00+08:00', end: '2026-03-01T00:00:00+08:00', estimated: true });
    // Feb 2026: 31 m³ over 17 Jan 10:00 → 17 Feb 10:00, of which 1 Feb → 17 Feb 10:00 (16 d 10 h),
    // plus 531 → 540 (old register's final) over 17 Feb 10:00 → 1 Mar, all in February.
    expect(feb.usage).toBeCloseTo((31 * (16 * 24 + 10)) / (31 * 24) + 9, 5);
    // Feb 2025: the same 16 d 10 h share of 31 m³, plus 41 → 500 spread over 17 Feb 2025 → 17 Jan 2026
    // (334 days), of which 17 Feb 10:00 → 1 Mar is in February.
    const gapShare = (t('2025-03-01T00:00') - t('2025-02-17T10:00')) / (t('2026-01-17T10:00') - t('2025-02-17T10:00'));
    expect(feb.previousYear).toBeCloseTo((31 * (16 * 24 + 10)) / (31 * 24) + 459 * gapShare, 5);
    expect(feb.previousYearCoverage).toBe(1);
    const march = await get(`/api/meters/${meterId}/usage?granularity=day&from=${encodeURIComponent('2026-03-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-03-03T00:00:00+08:00')}`);
    // New register 0 → 16 over 1 Mar 00:00 → 17 Mar 10:00 (16 d 10 h): 16 / 16.4167 per day, never negative.
    expect(march.body.periods.map((p: { usage: number }) => p.usage)).toEqual([expect.closeTo(16 / (16 + 10 / 24), 5), expect.closeTo(16 / (16 + 10 / 24), 5)]);
  });

  it('serves readings as JSON, CSV and Arrow IPC with the same content', async () => {
    const from = encodeURIComponent('2026-01-01T00:00:00+08:00');
    const json = await get(`/api/meters/${meterId}/readings?from=${from}`);
    expect(json.body.items.map((r: { reading: number }) => r.reading)).toEqual([500, 531, 16]);
    expect(json.body.items[1]).toMatchObject({ ts: '2026-02-17T10:00:00+08:00', estimated: true, source: 'http', flags: [] });
    const csv = await app.inject({ method: 'GET', url: `/api/meters/${meterId}/readings?from=${from}&format=csv` });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\n')).toEqual([
      'meterId,ts,reading,flow,balance,valve,flags,source,estimated',
      'API-U1,2026-01-17T10:00:00+08:00,500,,,,,http,false',
      'API-U1,2026-02-17T10:00:00+08:00,531,,,,,http,true',
      'API-U1,2026-03-17T10:00:00+08:00,16,,,,,http,false',
    ]);
    const arrow = await app.inject({ method: 'GET', url: `/api/meters/${meterId}/readings?from=${from}&format=arrow` });
    expect(arrow.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(arrow.rawPayload);
    expect(table.numRows).toBe(3);
    expect([...table.getChild('reading')!]).toEqual([500, 531, 16]);
    expect(Number(table.getChild('ts')!.get(0))).toBe(t('2026-01-17T10:00'));
    expect(table.getChild('estimated')!.get(1)).toBe(true);
  });

  it('answers a bad parameter with 400 naming it', async () => {
    const res = await get(`/api/meters/${meterId}/usage?granularity=week`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'granularity', value: 'week' });
    expect((await get(`/api/meters/${meterId}/readings?from=yesterday`)).body).toMatchObject({ field: 'from', value: 'yesterday' });
  });
});
