import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';
import { runPrefix, startTestIngest, type TestIngest } from './support/ingest.ts';

const sql = sharedSql();
const P = runPrefix('http');
const NOW = Date.now();
const HOUR = 3_600_000;
let ingest: TestIngest;

beforeAll(async () => {
  ingest = await startTestIngest(sharedEndpoints().httpUrl, sql, { MW_INGEST_ENFORCE_REGISTRY: 'true' }, (id) => !id.includes('UNREG'));
});
afterAll(async () => {
  await ingest?.stop();
  await sql.close();
});

const count = async (where: string, table = 'readings') => Number((await sql.query<{ n: number }>(`SELECT count() n FROM ${table} WHERE ${where}`))[0]!.n);

describe('HTTP ingest (interface.md §2)', () => {
  it('POST /api/readings stores the good records and answers the bad ones by index', async () => {
    const res = await ingest.app.inject({
      method: 'POST',
      url: '/api/readings',
      payload: [
        { meterId: `${P}-A`, ts: NOW - HOUR, reading: 5 },
        { meterId: `${P}-A`, ts: NOW - HOUR, reading: '5' },
        { meterId: 'M+1', ts: NOW - HOUR, reading: 5 },
        { meterId: `${P}-UNREG`, ts: NOW - HOUR, reading: 5 },
        { meterId: `${P}-B`, ts: new Date(NOW - 2 * HOUR).toISOString(), reading: 7, flow: 1 },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(body.rejected[0]!.reason).toBe('reading: expected a finite number ≥ 0, got "5" (string)');
    await eventually(async () => (await count(`meter_id IN ('${P}-A', '${P}-B') AND source = 'http'`)) === 2);
    await eventually(async () => (await count(`endpoint = '/api/readings' AND meter_id IN ('${P}-A', 'M+1', '${P}-UNREG')`, 'rejected_records')) === 3);
  });

  it('answers 400 when no record was usable, and keeps malformed JSON with its raw text', async () => {
    const allBad = await ingest.app.inject({ method: 'POST', url: '/api/readings', payload: [{ meterId: `${P}-C`, ts: 'soon', reading: 1 }] });
    expect(allBad.statusCode).toBe(400);
    const raw = `[{"meterId":"${P}-D","ts":1,"reading":`;
    const malformed = await ingest.app.inject({ method: 'POST', url: '/api/readings', payload: raw, headers: { 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(400);
    expect((malformed.json() as { rejected: { reason: string }[] }).rejected[0]!.reason).toMatch(/^body: malformed JSON/);
    await eventually(async () => (await sql.query<{ raw: string }>(`SELECT raw FROM rejected_records WHERE raw = '${raw}'`)).length === 1);
  });

  it('POST /api/handheld/uploads takes the JSON body and text/csv with readerId and route as query', async () => {
    const json = await ingest.app.inject({
      method: 'POST',
      url: '/api/handheld/uploads',
      payload: { readerId: 'R07', route: 'YB-03', records: [{ meterId: `${P}-E`, ts: NOW - HOUR, reading: 812.3, estimated: true, estimateReason: 'locked', note: 'door locked' }] },
    });
    expect(json.json()).toEqual({ accepted: 1, rejected: [] });
    const csv = `meterId,ts,reading,estimated,estimateReason,note\n${P}-F,${NOW - HOUR},10.5,false,,"gate, east"\n${P}-G,${NOW - HOUR},-1,,,\n`;
    const res = await ingest.app.inject({ method: 'POST', url: '/api/handheld/uploads?readerId=R08&route=YB-04', payload: csv, headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 1, rejected: [{ index: 1, reason: 'reading: expected a finite number ≥ 0, got -1' }] });
    await eventually(async () => (await count(`meter_id IN ('${P}-E', '${P}-F') AND source = 'handheld'`)) === 2);
    const rows = await sql.query(`SELECT meter_id, reader_id, route, estimated, estimate_reason, note FROM readings WHERE meter_id IN ('${P}-E', '${P}-F') ORDER BY meter_id`);
    expect(rows).toEqual([
      { meter_id: `${P}-E`, reader_id: 'R07', route: 'YB-03', estimated: true, estimate_reason: 'locked', note: 'door locked' },
      { meter_id: `${P}-F`, reader_id: 'R08', route: 'YB-04', estimated: false, estimate_reason: null, note: 'gate, east' },
    ]);
    // A re-uploaded file changes nothing.
    await ingest.app.inject({ method: 'POST', url: '/api/handheld/uploads?readerId=R08&route=YB-04', payload: csv, headers: { 'content-type': 'text/csv' } });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await count(`meter_id = '${P}-F'`)).toBe(1);
  });

  it('POST /api/ic/purchases stores top-ups', async () => {
    const res = await ingest.app.inject({ method: 'POST', url: '/api/ic/purchases', payload: [{ meterId: `${P}-H`, ts: NOW - HOUR, volume: 20, amount: 55.2 }, { meterId: `${P}-H`, ts: NOW, volume: -1, amount: 1 }] });
    expect(res.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
    await eventually(async () => (await count(`meter_id = '${P}-H'`, 'ic_purchases')) === 1);
  });

  it('refuses bodies over the size limit with 413', async () => {
    const res = await ingest.app.inject({ method: 'POST', url: '/api/readings', payload: `[${'1,'.repeat(600_000)}1]`, headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(413);
  });

  it('validates GET /api/ingest/rejected parameters and reports counters in health and /metrics', async () => {
    const bad = await ingest.app.inject({ method: 'GET', url: '/api/ingest/rejected?limit=0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('limit: expected an integer from 1 to 1000, got "0" (string)');
    const filtered = (await ingest.app.inject({ method: 'GET', url: `/api/ingest/rejected?source=http&meterId=${P}-UNREG&from=${NOW - HOUR}` })).json() as { items: { meterId: string; endpoint: string }[] };
    expect(filtered.items).toEqual([expect.objectContaining({ meterId: `${P}-UNREG`, endpoint: '/api/readings' })]);
    const health = (await ingest.app.inject({ method: 'GET', url: '/api/health' })).json() as { ingest: Record<string, number> };
    expect(health.ingest).toMatchObject({ accepted: 6, pending: 0, spooled: 0 });
    expect(health.ingest.rejected).toBeGreaterThanOrEqual(8);
    const metrics = (await ingest.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('meterwatch_ingest_records_accepted_total 6');
    expect(metrics).toMatch(/meterwatch_ingest_flush_seconds_count [1-9]/);
    expect(metrics).toContain('meterwatch_ingest_spool_rows 0');
  });
});
