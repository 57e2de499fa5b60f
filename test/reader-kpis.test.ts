import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertIlpLine } from '../analytics/alerts/alert-rows.ts';
import { writeIlp as writeIlpTo } from '../storage/ilp-http.ts';
import { writeIlp } from './support/ilp.ts';
import { caller, ledgerApp } from './support/ledger-app.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';

/**
 * Reading KPIs for October 2026 on a hand-made route (domain.md §3): KR-1 has six meters;
 * K5 was activated in October and K6 is vacant, so four should be read. Reader KR07 reads
 * K1 on the 10th, estimates K2 on the 12th, reads K3 on the 27th (outside the 6th–25th
 * window) and misses K4. Route KR-2 was not read at all.
 */
const TZ = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();
const sql = sharedSql();
let app: FastifyInstance;
let as: ReturnType<typeof caller>;

beforeAll(async () => {
  ({ app } = await ledgerApp(sql));
  as = caller(app);
  const m = (id: string, route: string, over: Record<string, unknown> = {}) => ({ meterId: id, customerId: `C-${id}`, route, district: 'KD', category: 'residential', kind: 'mechanical', status: 'active', activatedAt: '2025-01-01T00:00:00+08:00', effectiveAt: '2026-01-01T00:00:00+08:00', ...over });
  const reg = await as('ana').post('/api/meters', [
    m('KR-K1', 'KR-1'),
    m('KR-K2', 'KR-1'),
    m('KR-K3', 'KR-1'),
    m('KR-K4', 'KR-1'),
    m('KR-K5', 'KR-1', { activatedAt: '2026-10-10T00:00:00+08:00' }),
    m('KR-K6', 'KR-1', { status: 'vacant' }),
    m('KR-K7', 'KR-2'),
  ]);
  expect(reg.status, JSON.stringify(reg.body)).toBe(200);
  const read = (meter: string, iso: string, estimated: boolean) => `readings,meter_id=${meter},source=handheld,reader_id=KR07,route=KR-1 reading=100.0,estimated=${estimated ? 't' : 'f'} ${at(iso)}`;
  const lines = [read('KR-K1', '2026-10-10T09:00', false), read('KR-K2', '2026-10-12T09:00', true), read('KR-K3', '2026-10-27T09:00', false), read('KR-K1', '2026-09-10T09:00', false)];
  await writeIlp(lines);
  // Two stuck faults on the route: one open since 1 September (> 30 days at month end), one since 20 October.
  const alert = (id: string, start: string) => ({ id, raisedAt: at(start), updatedAt: at(start), meterId: 'KR-K4', customerId: 'C-KR-K4', district: 'KD', route: 'KR-1', rule: 'stuck_meter' as const, severity: 'warning' as const, periodStart: at(start), periodEnd: at('2026-10-31'), value: 30, threshold: 20, score: 2, message: 'flat', status: 'open' as const });
  await writeIlpTo(sharedEndpoints().httpUrl, [alert('kr-old', '2026-09-01'), alert('kr-new', '2026-10-20')].map(alertIlpLine).join(''));
  await eventually(async () => {
    const [r] = await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE reader_id = 'KR07'`);
    const [a] = await sql.query<{ n: number }>(`SELECT count() n FROM alerts WHERE route = 'KR-1'`);
    return Number(r?.n) === lines.length && Number(a?.n) === 2;
  }, 60_000, 250);
});

afterAll(async () => {
  await app.close();
  await sql.close();
});

describe('GET /api/kpis/readers', () => {
  it('computes read-seen rate, coverage, estimates, window and old faults per reader and route', async () => {
    const res = await as('sue').get('/api/kpis/readers?month=2026-10');
    expect(res.status).toBe(200);
    const rows = res.body.items.filter((k: { route: string }) => k.route.startsWith('KR-'));
    expect(rows).toEqual([
      { readerId: 'KR07', route: 'KR-1', shouldRead: 4, readMeters: 3, seenMeters: 2, readSeenRate: 0.5, coverage: 0.75, meetsSeenTarget: false, reads: 3, estimatedReads: 1, estimatedShare: 0.3333, outsideWindow: 1, outsideWindowShare: 0.3333, faultsOverLimit: 1 },
      { readerId: null, route: 'KR-2', shouldRead: 1, readMeters: 0, seenMeters: 0, readSeenRate: 0, coverage: 0, meetsSeenTarget: false, reads: 0, estimatedReads: 0, estimatedShare: null, outsideWindow: 0, outsideWindowShare: null, faultsOverLimit: 0 },
    ]);
    expect(res.body.targets).toEqual({ readSeenRate: 0.985, readWindow: [6, 25], faultLimitDays: 30 });
  });

  it('exports CSV with a BOM and refuses a malformed month', async () => {
    const csv = await as('ana').get('/api/kpis/readers?month=2026-10&format=csv');
    expect(csv.text.startsWith('\uFEFFroute,readerId,shouldRead')).toBe(true);
    expect(csv.text).toContain('KR-1,KR07,4,3,2,0.5,false,0.75,3,1,0.3333,1,0.3333,1');
    const bad = await as('ana').get('/api/kpis/readers?month=2026-13');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'MW_ERR_VALIDATION', field: 'month', value: '2026-13' });
  });
});
