import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../core/types.ts';
import type { LedgerParts } from '../analytics/ledger/build-ledger.ts';
import { alertClassSource } from '../analytics/classes.ts';
import { sqlString, sqlTimestamp } from '../storage/sql.ts';
import { caller, ledgerApp } from './support/ledger-app.ts';
import { eventually, sharedSql } from './support/questdb.ts';

/**
 * The visit schedule through real QuestDB and the HTTP API (issue 6 item 2): registry rows
 * and class-making alerts written, ledger visits recorded by the assigned inspector, and
 * GET /api/visits/due showing done / due / overdue per window.
 */
const sql = sharedSql();
let app: FastifyInstance;
let ledger: LedgerParts;
let as: ReturnType<typeof caller>;
const D = 'VD-D1';
const ASOF = '2026-10-20T12:00:00+08:00';
const month = (m: string) => Date.parse(`${m}-01T00:00:00+08:00`);

function alert(id: string, meterId: string, rule: Alert['rule'], monthLabel: string, value: number, customerId = meterId.replace('M', 'C')): Alert {
  const start = month(monthLabel);
  return { id, raisedAt: start + 86_400_000, meterId, customerId, rule, severity: 'warning', periodStart: start, periodEnd: start + 30 * 86_400_000, value, threshold: rule === 'large_flow' ? 40 : 30, score: 2, message: 'test', status: 'open' };
}

async function storeAlerts(alerts: readonly Alert[]): Promise<void> {
  const values = alerts.map((a) => `(${sqlTimestamp(a.periodStart)}, ${sqlTimestamp(a.periodEnd)}, ${sqlTimestamp(a.raisedAt)}, ${sqlTimestamp(a.raisedAt)}, ${sqlString(a.id)}, ${sqlString(a.meterId)}, ${sqlString(a.customerId!)}, ${sqlString(D)}, 'VD-R1', ${sqlString(a.rule)}, 'warning', 'open', ${a.value}, ${a.threshold}, ${a.score}, 'test', '{}')`);
  await sql.exec(`INSERT INTO alerts (period_start, period_end, raised_at, updated_at, id, meter_id, customer_id, district, route, rule, severity, status, value, threshold, score, message, evidence) VALUES ${values.join(', ')}`);
}

/** Opens the customer's case from its alert, assigns it to ivan, and ivan records a visit at `visitedAt`. */
async function recordVisit(a: Alert, visitedAt: string): Promise<string> {
  const c = await ledger.service.onAlert(a);
  expect((await as('ana').post(`/api/ledger/cases/${c!.caseId}/assign`, { inspector: 'ivan' })).status).toBe(200);
  const visited = await as('ivan').post(`/api/ledger/cases/${c!.caseId}/visit`, { findings: '核对读数, 未见私自增容', visitedAt });
  expect(visited.status, JSON.stringify(visited.body)).toBe(200);
  return c!.caseId;
}

const alerts = {
  flowNow: alert('vd-a', 'VD-M1', 'large_flow', '2026-10', 52.5), // large flow this month, visited on the 10th
  flowBefore: alert('vd-b', 'VD-M2', 'large_flow', '2026-09', 44), // large flow last month: still in the class, no visit
  highAug: alert('vd-c', 'VD-M3', 'residential_high', '2026-08', 120), // ≥ 100 m³ in August: monthly visits, visited on the 18th
  lapsed: alert('vd-d', 'VD-M4', 'residential_high', '2025-05', 150), // more than 12 months ago: class lapsed
  below: alert('vd-e', 'VD-M5', 'residential_high', '2026-09', 80), // below the monthly-visit limit
  formerCustomer: alert('vd-f', 'VD-M6', 'large_flow', '2026-09', 60, 'VD-OLD'), // the meter has a new customer since
};
let caseA: string;

beforeAll(async () => {
  ({ app, ledger } = await ledgerApp(sql));
  as = caller(app);
  const meters = ['VD-M1', 'VD-M2', 'VD-M3', 'VD-M4', 'VD-M5', 'VD-M6'].map((meterId, i) => ({
    meterId, customerId: meterId.replace('M', 'C'), customerName: `客户${i + 1}`, address: `中山路 ${i + 1} 号`, district: D, route: i === 2 ? 'VD-R2' : 'VD-R1',
    category: i >= 2 ? 'residential' : 'commercial', kind: 'smart', spec: i >= 2 ? 'G2.5' : 'G25', status: 'active', effectiveAt: '2025-01-01T00:00:00+08:00',
  }));
  expect((await as('ana').post('/api/meters', meters)).status).toBe(200);
  await storeAlerts(Object.values(alerts));
  await eventually(async () => Number((await sql.query<{ n: number }>(`SELECT count() n FROM alerts WHERE district = ${sqlString(D)}`))[0]!.n) === 6, 60_000);
  caseA = await recordVisit(alerts.flowNow, '2026-10-10T09:30:00+08:00');
  await recordVisit(alerts.highAug, '2026-10-18T15:00:00+08:00');
});

afterAll(async () => {
  await app.close();
  await sql.close();
});

describe('GET /api/visits/due (issue 6 item 2)', () => {
  it('lists the windows of the month with done, due and overdue, overdue first', async () => {
    const res = await as('ivan').get(`/api/visits/due?asOf=${encodeURIComponent(ASOF)}&district=${D}`);
    expect(res.status, res.text).toBe(200);
    const rows = res.body.items as Record<string, unknown>[];
    const pick = (r: Record<string, unknown>) => [r.meterId, r.visitClass, r.window, r.state];
    expect(rows.map(pick)).toEqual([
      ['VD-M2', 'large_flow', 1, 'overdue'],
      ['VD-M1', 'large_flow', 2, 'due'], // the visit on the 10th does not satisfy the second half
      ['VD-M2', 'large_flow', 2, 'due'],
      ['VD-M1', 'large_flow', 1, 'done'],
      ['VD-M3', 'monthly', 1, 'done'],
    ]);
    expect(rows[3]).toMatchObject({ customerId: 'VD-C1', customerName: '客户1', address: '中山路 1 号', district: D, route: 'VD-R1', done: true, overdue: false, visitedAt: '2026-10-10T09:30:00+08:00', inspector: 'ivan', caseId: caseA, windowStart: '2026-10-01T00:00:00+08:00', windowEnd: '2026-10-16T00:00:00+08:00', classMonth: '2026-10', classValue: 52.5 });
    expect(rows[0]).toMatchObject({ overdue: true, done: false, visitedAt: null, inspector: null, classMonth: '2026-09', classUntil: '2027-10' });
    expect(res.body.totals).toEqual({ windows: 5, overdue: 1, due: 2, upcoming: 0, done: 2 });
  });

  it('filters by route, class and state; earlier in the month the second window is upcoming', async () => {
    const route = await as('ana').get(`/api/visits/due?asOf=${encodeURIComponent(ASOF)}&district=${D}&route=VD-R2`);
    expect(route.body.items.map((r: Record<string, unknown>) => r.meterId)).toEqual(['VD-M3']);
    const monthly = await as('ana').get(`/api/visits/due?asOf=${encodeURIComponent(ASOF)}&district=${D}&class=monthly`);
    expect(monthly.body.items.map((r: Record<string, unknown>) => r.meterId)).toEqual(['VD-M3']);
    const overdue = await as('ana').get(`/api/visits/due?asOf=${encodeURIComponent(ASOF)}&district=${D}&state=overdue`);
    expect(overdue.body.items.map((r: Record<string, unknown>) => r.meterId)).toEqual(['VD-M2']);
    const early = await as('ana').get(`/api/visits/due?asOf=${encodeURIComponent('2026-10-05T08:00:00+08:00')}&district=${D}`);
    // As of the 5th the visits of the 10th and 18th had not happened yet.
    expect(early.body.totals).toEqual({ windows: 5, overdue: 0, due: 3, upcoming: 2, done: 0 });
  });

  it('exports CSV with a BOM and XLSX with Chinese headers', async () => {
    const csv = await as('ana').get(`/api/visits/due?asOf=${encodeURIComponent(ASOF)}&district=${D}&format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.startsWith('\uFEFFstate,district,route,meterId')).toBe(true);
    expect(csv.text).toContain('overdue,VD-D1,VD-R1,VD-M2,VD-C2,客户2,中山路 2 号');
    const res = await app.inject({ method: 'GET', url: `/api/visits/due?asOf=${encodeURIComponent(ASOF)}&district=${D}&format=xlsx`, headers: { authorization: 'Bearer token-of-ana-0123456789' } });
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('巡检计划')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('状态');
    expect(sheet.getRow(1).getCell(7).value).toBe('地址');
    expect(sheet.getRow(2).getCell(1).value).toBe('逾期未检');
    expect(sheet.rowCount).toBe(6);
  });

  it('refuses bad parameters naming field and value, and is documented in OpenAPI', async () => {
    const bad = await as('ana').get('/api/visits/due?class=weekly');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'MW_ERR_VALIDATION', field: 'class', value: 'weekly' });
    expect((await as('ana').get('/api/visits/due?asOf=2026-10-20')).body).toMatchObject({ field: 'asOf', value: '2026-10-20' });
    expect((await as('ana').get('/api/visits/due?state=late')).body).toMatchObject({ field: 'state', value: 'late' });
    const docs = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.json().paths['/api/visits/due'].get.tags).toEqual(['visits']);
  });

  it('the meter page classes lapse by the same setting', async () => {
    const classes = alertClassSource(sql, 100, { zone: 'Asia/Shanghai', largeFlowMonths: 12, monthlyMonths: 12 });
    const asOf = Date.parse(ASOF);
    expect((await classes('VD-M3', 'VD-C3', asOf)).highMonthlyUsage.member).toBe(true);
    expect((await classes('VD-M4', 'VD-C4', asOf)).highMonthlyUsage.member).toBe(false); // May 2025: lapsed after May 2026
    expect((await alertClassSource(sql, 100)('VD-M4', 'VD-C4', asOf)).highMonthlyUsage.member).toBe(true); // without a lapse: forever
    expect((await classes('VD-M2', 'VD-C2', asOf)).largeFlow.member).toBe(true);
  });
});
