import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypedBus } from '../core/bus.ts';
import { loadConfig } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import type { Alert } from '../core/types.ts';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import type { LedgerParts } from '../analytics/ledger/build-ledger.ts';
import type { Notice } from '../analytics/blacklist/blacklist-repo.ts';
import { writeIlp } from './support/ilp.ts';
import { caller, ledgerApp } from './support/ledger-app.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';

/**
 * The worked example of issue 7, end to end on the real QuestDB: a residential bulk meter
 * whose register a magnet slows to 40 % from 3 August 2026 (the meter flags `magnet` that
 * day) → analytics raises `tamper` → the ledger opens a case from the bus → assignment →
 * visit with photo → violation → blacklist and notice to the area reader → supplementary
 * volume with its evidence table → the manager approves → usage?adjusted=true shows it.
 */
const TZ = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();
const DAY = 86_400_000;
const METER = 'E2E-BULK';
const START = at('2024-06-01');
const TAMPERED = at('2026-08-03');
const AS_OF = at('2026-11-01');

/** The bulk meter's daily use: winter-heavy, 10 m³/day on average, 40 % of it registered once tampered. */
const trueUse = (t: number) => 10 * (1 + 0.6 * Math.cos((2 * Math.PI * (DateTime.fromMillis(t, { zone: TZ }).month - 1)) / 12));
const registered = (t: number) => (t >= TAMPERED ? 0.4 : 1) * trueUse(t);

const sql = sharedSql();
const bus = new TypedBus<MeterwatchEvents>(silentLogger());
const analytics = new AnalyticsService({ sql, httpUrl: sharedEndpoints().httpUrl, bus, config: loadConfig({}, { MW_ANALYTICS_SCHEDULE: '0' }), log: silentLogger() });
let app: FastifyInstance;
let ledger: LedgerParts;
let as: ReturnType<typeof caller>;
const raised: Alert[] = [];
let readingRows = 0;
const delivered: Notice[] = [];

beforeAll(async () => {
  ({ app, ledger } = await ledgerApp(sql, (id, status) => analytics.sink.setStatus(id, status), (n) => delivered.push(n)));
  as = caller(app);
  // main.ts wiring: alerts that need a visit open or join a case.
  bus.on('alert.raised', ({ alert }) => {
    raised.push(alert);
    return ledger.service.onAlert(alert).then(() => undefined);
  });
  const reg = await as('ana').post('/api/meters', [
    { meterId: METER, customerId: 'E2E-C', customerName: '幸福小区物业', address: '幸福路 88 号', district: 'E2E-D', route: 'E2E-R', category: 'residential_bulk', kind: 'smart', spec: 'G25', status: 'active', households: 40, activatedAt: '2024-01-01T00:00:00+08:00', effectiveAt: '2024-01-01T00:00:00+08:00' },
  ]);
  expect(reg.status).toBe(200);
  const lines: string[] = [];
  let register = 1000;
  for (let t = START + 2 * 3_600_000; t < AS_OF; t += DAY) {
    register += registered(t);
    const flags = DateTime.fromMillis(t, { zone: TZ }).toISODate() === '2026-08-03' ? ',flags="[\\"magnet\\"]"' : '';
    lines.push(`readings,meter_id=${METER},source=mqtt reading=${register.toFixed(3)}${flags} ${t}`);
  }
  // The area reader's handheld check read on 15 October (route E2E-R, reader E2E-R07).
  lines.push(`readings,meter_id=${METER},source=handheld,reader_id=E2E-R07,route=E2E-R reading=${register.toFixed(3)},estimated=f ${at('2026-10-31T11:00')}`);
  readingRows = lines.length;
  await writeIlp(lines);
  await eventually(async () => Number((await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE meter_id = '${METER}'`))[0]?.n) === readingRows, 150_000, 500);
  await analytics.start();
});

afterAll(async () => {
  await analytics.stop();
  await app.close();
  await sql.close();
});

describe('worked example: a tampered bulk meter, from alert to approved supplementary volume', () => {
  let caseId: string;
  let tamperAlert: Alert;
  let adjustmentId: string;

  it('analytics raises tamper on the flag day, and the ledger opens a case for the customer', async () => {
    await analytics.run(AS_OF);
    tamperAlert = raised.find((a) => a.meterId === METER && a.rule === 'tamper')!;
    expect(tamperAlert).toBeDefined();
    expect(tamperAlert.periodStart).toBe(at('2026-08-03'));
    await eventually(async () => ledger.service.store.all().some((c) => c.customerId === 'E2E-C' && c.alerts.some((a) => a.alertId === tamperAlert.id)), 60_000, 100);
    const cases = (await as('ana').get('/api/ledger/cases?customerId=E2E-C')).body.items;
    expect(cases).toHaveLength(1); // every alert of the customer joins the one case
    caseId = cases[0].caseId;
    expect(cases[0].rules).toContain('tamper');
    const view = await as('ana').get(`/api/ledger/cases/${caseId}`);
    expect(view.body.customer).toMatchObject({ customerName: '幸福小区物业', address: '幸福路 88 号', spec: 'G25', households: 40 });
    // The usage history shown with the entry: the step down from August 2026 against August 2025.
    const month = (m: string) => view.body.usageHistory.find((u: { month: string }) => u.month === m)?.usage as number;
    expect(month('2026-09') / month('2025-09')).toBeCloseTo(0.4, 1);
  });

  it('assign → visit → violation puts the customer on the blacklist and notifies the area reader', async () => {
    const url = (a: string) => `/api/ledger/cases/${caseId}/${a}`;
    const assigned = await as('ana').post(url('assign'), { inspector: 'ivan' });
    expect(assigned.body.state).toBe('assigned');
    const photo = { contentType: 'image/png', dataBase64: Buffer.from('\x89PNG magnet on the meter').toString('base64') };
    const visited = await as('ivan').post(url('visit'), { findings: '总表上吸有强磁铁 (magnet on the bulk meter)', visitedAt: '2026-11-01T10:00:00+08:00', photo });
    expect(visited.body.state).toBe('visited');
    const v = await as('ana').post(url('conclude-violation'), { reason: 'theft', evidence: 'magnet found on site, photo attached', handling: { adjustment: 'supplementary volume from the change point', penaltyNote: 'penalty under the city gas regulations' } });
    expect(v.body).toMatchObject({ state: 'violation', blacklisted: true, notice: { customerId: 'E2E-C', readerId: 'E2E-R07', route: 'E2E-R', district: 'E2E-D', reason: 'theft' } });
    // The case's alerts follow it: closed with the case.
    await eventually(async () => (await sql.query<{ status: string }>(`SELECT status FROM alerts WHERE meter_id = '${METER}' AND rule = 'tamper'`))[0]?.status === 'closed', 60_000, 200);
    const list = await as('sue').get('/api/blacklist?route=E2E-R');
    expect(list.body.items).toEqual([expect.objectContaining({ customerId: 'E2E-C', reason: 'theft', caseId })]);
    const notices = await as('ivan').get('/api/blacklist/notices?readerId=E2E-R07');
    expect(notices.body.items).toHaveLength(1);
    expect(delivered.map((n) => [n.readerId, n.customerId, n.noticeId])).toEqual([['E2E-R07', 'E2E-C', notices.body.items[0].noticeId]]);
  });

  it('proposes the supplementary volume from the tamper day with the history table as evidence', async () => {
    expect((await as('ivan').post(`/api/ledger/cases/${caseId}/supplementary`, {})).status).toBe(403);
    const res = await as('ana').post(`/api/ledger/cases/${caseId}/supplementary`, { alertId: tamperAlert.id, note: '按近两年同期最高用量补量' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const p = res.body;
    adjustmentId = p.id;
    expect(p).toMatchObject({ status: 'proposed', cause: 'tamper', meterId: METER, caseId, periodStart: '2026-08-03T00:00:00+08:00', periodEnd: '2026-11-01T10:00:00+08:00' });
    const rows = p.evidence.rows as { month: string; fraction: number; metered: number; history: { month: string; usage: number }[]; highest: number; expected: number; supplementary: number }[];
    expect(rows.map((r) => r.month)).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);
    // September: the true use of a September (both earlier years alike) against 40 % of it registered.
    const sep = rows[1]!;
    const septemberUse = 30 * trueUse(at('2026-09-15'));
    expect(sep.history.map((h) => h.month)).toEqual(['2025-09', '2024-09']);
    expect(sep.highest).toBeCloseTo(septemberUse, -1);
    expect(sep.metered).toBeCloseTo(0.4 * septemberUse, -1);
    expect(sep.supplementary).toBeCloseTo(sep.expected - sep.metered, 2);
    expect(sep.supplementary).toBeGreaterThan(0.55 * septemberUse);
    // August counts from the 3rd: 29 of 31 days.
    expect(rows[0]!.fraction).toBeCloseTo(29 / 31, 3);
    const total = rows.reduce((s, r) => s + r.supplementary, 0);
    expect(p.volume).toBeCloseTo(total, 2);
    console.log(`worked example: supplementary volume ${p.volume} m³ over ${rows.length} month parts; September ${sep.supplementary} m³ (highest ${sep.highest}, metered ${sep.metered})`);
  });

  it('only a manager approves; approved volume corrects usage reports, raw readings untouched', async () => {
    expect((await as('sue').post(`/api/adjustments/${adjustmentId}/approve`)).body).toMatchObject({ error: 'MW_ERR_FORBIDDEN', allowedRoles: ['manager'] });
    expect((await as('ana').post(`/api/adjustments/${adjustmentId}/approve`)).status).toBe(403);
    const approved = await as('max').post(`/api/adjustments/${adjustmentId}/approve`, { note: '签字同意' });
    expect(approved.body).toMatchObject({ status: 'approved', actor: 'max' });
    expect((await as('max').post(`/api/adjustments/${adjustmentId}/reject`)).body).toMatchObject({ error: 'MW_ERR_ILLEGAL_TRANSITION', state: 'approved' });
    const trail = await as('ana').get(`/api/adjustments/${adjustmentId}`);
    expect(trail.body.trail.map((t: { status: string; actor: string }) => `${t.status}:${t.actor}`)).toEqual(['proposed:ana', 'approved:max']);

    const q = `from=${encodeURIComponent('2026-09-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-10-01T00:00:00+08:00')}`;
    const sep = approved.body.evidence.rows[1].supplementary as number;
    const adjusted = await as('ana').get(`/api/meters/${METER}/usage?${q}&adjusted=true`);
    const period = adjusted.body.periods[0];
    expect(period.adjustment).toBeCloseTo(sep, 3);
    expect(period.adjustedUsage).toBeCloseTo(period.usage + sep, 3);
    const raw = await as('ana').get(`/api/meters/${METER}/usage?${q}`);
    expect(raw.body.periods[0].usage).toBe(period.usage);
    expect(raw.body.periods[0].adjustment).toBeUndefined();
    expect(Number((await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE meter_id = '${METER}'`))[0]?.n)).toBe(readingRows);
  });
});
