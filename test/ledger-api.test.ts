import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../core/types.ts';
import type { LedgerParts } from '../analytics/ledger/build-ledger.ts';
import { caller, ledgerApp } from './support/ledger-app.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';

const sql = sharedSql();
let app: FastifyInstance;
let ledger: LedgerParts;
let photoDir: string;
let as: ReturnType<typeof caller>;
const DAY = 86_400_000;

function alert(id: string, meterId: string, customerId: string, rule: Alert['rule'] = 'yoy_deviation'): Alert {
  const t = Date.parse('2026-10-01T00:00:00+08:00');
  return { id, raisedAt: Date.now(), meterId, customerId, rule, severity: 'warning', periodStart: t, periodEnd: t + 31 * DAY, value: 30, threshold: 10, score: 3, message: 'test', status: 'open' };
}

beforeAll(async () => {
  ({ app, ledger, photoDir } = await ledgerApp(sql));
  as = caller(app);
  const meters = [
    { meterId: 'LA-M1', customerId: 'LA-C1', customerName: '王五', address: '解放路 1 号', district: 'LA-D1', route: 'LA-R1', category: 'commercial', kind: 'mechanical', spec: 'G16', status: 'active', effectiveAt: '2026-01-01T00:00:00+08:00' },
    { meterId: 'LA-M2', customerId: 'LA-C2', customerName: '赵六', address: '解放路 2 号', district: 'LA-D1', route: 'LA-R2', category: 'commercial', kind: 'mechanical', spec: 'G16', status: 'active', effectiveAt: '2026-01-01T00:00:00+08:00' },
    { meterId: 'LA-M3', customerId: 'LA-C3', customerName: '钱七', address: '和平路 3 号', district: 'LA-D2', route: 'LA-R3', category: 'residential_bulk', kind: 'smart', spec: 'G25', status: 'active', effectiveAt: '2026-01-01T00:00:00+08:00' },
  ];
  const res = await as('ana').post('/api/meters', meters);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
});

afterAll(async () => {
  await app.close();
  await sql.close();
});

describe('access: tokens, roles, audit (issue 7 item 4)', () => {
  it('refuses requests without a valid token, on reads and writes', async () => {
    expect((await as(null).get('/api/ledger/cases')).status).toBe(401);
    const bad = await app.inject({ method: 'GET', url: '/api/ledger/cases', headers: { authorization: 'Bearer not-a-token-of-anyone' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ error: 'MW_ERR_UNAUTHENTICATED' });
    expect((await as(null).post('/api/meters', [{ meterId: 'LA-X' }])).status).toBe(401);
    expect((await as(null).get('/api/health')).status).toBe(200);
  });

  it('checks roles on existing write endpoints too, naming the allowed roles', async () => {
    const res = await as('ivan').post('/api/meters', [{ meterId: 'LA-X' }]);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'MW_ERR_FORBIDDEN', role: 'inspector', allowedRoles: ['analyst', 'admin'] });
    expect((await as('ana').get('/api/audit')).status).toBe(403);
  });
});

describe('ledger cases through the API (domain.md §5)', () => {
  let caseId: string;

  it('opens one case per customer from alerts that need a visit; the IC schedule opens none', async () => {
    const opened = await ledger.service.onAlert(alert('la-a1', 'LA-M1', 'LA-C1'));
    caseId = opened!.caseId;
    await ledger.service.onAlert(alert('la-a2', 'LA-M1', 'LA-C1', 'large_flow'));
    await ledger.service.onAlert(alert('la-a2', 'LA-M1', 'LA-C1', 'large_flow')); // redelivered
    expect(await ledger.service.onAlert(alert('la-ic', 'LA-M2', 'LA-C2', 'ic_verification_due'))).toBeUndefined();
    const list = await as('ana').get('/api/ledger/cases?customerId=LA-C1');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ caseId, state: 'open', rules: ['yoy_deviation', 'large_flow'] });
    const meter = await as('ana').get('/api/meters/LA-M1');
    expect(meter.body.classes.ledger).toEqual({ open: true, cases: [expect.objectContaining({ caseId, rule: 'yoy_deviation', state: 'open' })] });
  });

  it('takes a batch pass of alerts in one call: one case per customer, each alert once, redeliveries ignored', async () => {
    const batch = [
      alert('la-b-1', 'LA-M8', 'LA-C8'),
      alert('la-b-2', 'LA-M8', 'LA-C8', 'bulk_drop'),
      alert('la-b-1', 'LA-M8', 'LA-C8'), // the same alert twice in one batch
      alert('la-b-ic', 'LA-M8', 'LA-C8', 'ic_verification_due'),
    ];
    expect(await ledger.service.onAlerts(batch)).toBe(1);
    expect(await ledger.service.onAlerts([alert('la-b-2', 'LA-M8', 'LA-C8', 'bulk_drop')])).toBe(0); // after a restart's catch-up
    const list = await as('ana').get('/api/ledger/cases?customerId=LA-C8');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ state: 'open', rules: ['yoy_deviation', 'bulk_drop'] });
    // the events reached QuestDB: a store loaded afresh folds them into the same case
    await eventually(async () => {
      const rows = await sql.query<{ n: number }>(`SELECT count() n FROM ledger_events WHERE customer_id = 'LA-C8'`);
      return Number(rows[0]!.n) === 2;
    }, 60_000);
  });

  it('walks every transition of a normal case, refusing wrong roles, wrong order and illegal moves', async () => {
    const url = (a: string) => `/api/ledger/cases/${caseId}/${a}`;
    // illegal: visit before assignment
    const early = await as('ivan').post(url('visit'), { findings: 'x' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: 'MW_ERR_ILLEGAL_TRANSITION', state: 'open', action: 'visit', allowed: ['join', 'assign'] });
    // assign: inspector may not; analyst may; the ≥ 40 m³/h class (large_flow alert) is due in half a month
    expect((await as('ivan').post(url('assign'), { inspector: 'ivan' })).body).toMatchObject({ error: 'MW_ERR_FORBIDDEN', role: 'inspector', allowedRoles: ['analyst', 'supervisor'] });
    const assigned = await as('ana').post(url('assign'), { inspector: 'ivan' });
    expect(assigned.status).toBe(200);
    expect(assigned.body.state).toBe('assigned');
    const due = Date.parse(assigned.body.dueAt) - Date.parse(assigned.body.history[2].at);
    expect(due).toBe(15 * DAY);
    // visit: analyst may not; another inspector may not; the assigned one may, with a photo
    expect((await as('ana').post(url('visit'), { findings: 'x' })).status).toBe(403);
    const iris = await as('iris').post(url('visit'), { findings: 'x' });
    expect(iris.status).toBe(403);
    expect(iris.body.message).toContain('assigned to inspector ivan');
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
    const visited = await as('ivan').post(url('visit'), { findings: '表具正常, 商户装修停业', visitedAt: '2026-11-20T10:00:00+08:00', photo: { contentType: 'image/jpeg', dataBase64: jpeg.toString('base64') } });
    expect(visited.status).toBe(200);
    expect(visited.body.visits[0]).toMatchObject({ by: 'ivan', findings: '表具正常, 商户装修停业', at: '2026-11-20T10:00:00+08:00', photo: { contentType: 'image/jpeg', bytes: 10 } });
    const photo = await as('sue').get(`/api/ledger/cases/${caseId}/photos/${visited.body.visits[0].photo.file}`);
    expect(photo.status).toBe(200);
    expect(readFileSync(join(photoDir, caseId, visited.body.visits[0].photo.file))).toEqual(jpeg);
    // conclude normal: inspector may not
    expect((await as('ivan').post(url('conclude-normal'), { note: 'fine' })).status).toBe(403);
    expect((await as('ana').post(url('conclude-normal'), {})).body).toMatchObject({ error: 'MW_ERR_VALIDATION', field: 'note' });
    expect((await as('ana').post(url('conclude-normal'), { note: 'renovation explains the drop' })).body.state).toBe('normal_pending');
    // approval order: manager before supervisor refused; analyst and admin never sign
    const managerFirst = await as('max').post(url('approve'));
    expect(managerFirst.status).toBe(403);
    expect(managerFirst.body.message).toContain("awaits the supervisor's approval");
    expect((await as('ana').post(url('approve'))).status).toBe(403);
    expect((await as('root').post(url('approve'))).status).toBe(403);
    expect((await as('sue').post(url('approve'), { note: 'checked' })).body.state).toBe('normal_supervisor_approved');
    // the same person may not sign again as manager
    const twice = await as('sueAsManager').post(url('approve'));
    expect(twice.status).toBe(403);
    expect(twice.body.message).toContain('another person');
    const cleared = await as('max').post(url('approve'));
    expect(cleared.body.state).toBe('cleared');
    expect(cleared.body.history.map((h: { action: string; actor: string; role: string }) => `${h.action}:${h.actor}:${h.role}`)).toEqual([
      'open:meterwatch:system',
      'join:meterwatch:system',
      'assign:ana:analyst',
      'visit:ivan:inspector',
      'conclude_normal:ana:analyst',
      'approve:sue:supervisor',
      'approve:max:manager',
    ]);
    expect((await as('sue').post(url('reject-clearance'), { reason: 'x' })).body).toMatchObject({ state: 'cleared', allowed: [] });
    expect((await as('ana').post(url('fly'))).body).toMatchObject({ error: 'MW_ERR_VALIDATION', field: 'action' });
  });

  it('catches up with open alerts no case holds (raised while the ledger was down), once', async () => {
    const { alertIlpLine } = await import('../analytics/alerts/alert-rows.ts');
    const { writeIlp } = await import('../storage/ilp-http.ts');
    await writeIlp(sharedEndpoints().httpUrl, alertIlpLine({ ...alert('la-missed', 'LA-M9', 'LA-C9', 'stuck_meter'), updatedAt: Date.now() }));
    await eventually(async () => (await sql.query(`SELECT id FROM alerts WHERE id = 'la-missed'`)).length === 1, 60_000, 200);
    await ledger.catchUp();
    expect(ledger.service.store.all().filter((c) => c.customerId === 'LA-C9').map((c) => c.alerts.map((a) => a.alertId))).toEqual([['la-missed']]);
    expect(await ledger.catchUp()).toBe(0);
  });

  it('survives a restart: the cases are replayed from ledger_events', async () => {
    const before = ledger.service.store.get(caseId)!;
    const { LedgerStore } = await import('../analytics/ledger/ledger-store.ts');
    const { silentLogger } = await import('../core/logger.ts');
    const replayed = new LedgerStore(sql, silentLogger());
    await eventually(async () => (await replayed.load(), replayed.get(caseId)?.events.length === before.events.length), 60_000, 200);
    expect(replayed.get(caseId)).toEqual(before);
  });

  it('a rejected clearing goes back for another visit', async () => {
    const c = await ledger.service.onAlert(alert('la-b1', 'LA-M2', 'LA-C2'));
    const url = (a: string) => `/api/ledger/cases/${c!.caseId}/${a}`;
    await as('sue').post(url('assign'), { inspector: 'iris', dueAt: new Date(Date.now() + DAY).toISOString() });
    await as('iris').post(url('visit'), { findings: 'looks fine' });
    await as('ana').post(url('conclude-normal'), { note: 'fine' });
    const rejected = await as('sue').post(url('reject-clearance'), { reason: 'usage still unexplained' });
    expect(rejected.body).toMatchObject({ state: 'open', approvals: [], conclusion: null });
    expect((await as('ana').post('/api/ledger/cases', { meterId: 'LA-M2' })).body).toMatchObject({ error: 'MW_ERR_ILLEGAL_TRANSITION' });
  });
});

describe('violation → blacklist and notice (domain.md §4, §5)', () => {
  let caseId: string;

  it('puts the customer on the blacklist and notifies the area reader', async () => {
    const opened = await as('ana').post('/api/ledger/cases', { meterId: 'LA-M3', note: 'reader reported a loose seal' });
    expect(opened.status).toBe(201);
    caseId = opened.body.caseId;
    const url = (a: string) => `/api/ledger/cases/${caseId}/${a}`;
    const assigned = await as('ana').post(url('assign'), { inspector: 'ivan' });
    expect(Date.parse(assigned.body.dueAt) - Date.now()).toBeGreaterThan(58 * DAY); // bulk meter: every two months
    await as('ivan').post(url('visit'), { findings: 'bypass pipe around the bulk meter' });
    const body = { reason: 'illegal_connection', evidence: 'bypass pipe, photo 1', handling: { adjustment: 'supplementary volume', penaltyNote: 'penalty per city gas rules art. 12' } };
    expect((await as('ivan').post(url('conclude-violation'), body)).status).toBe(403);
    expect((await as('ana').post(url('conclude-violation'), { ...body, reason: 'bad_mood' })).body).toMatchObject({ error: 'MW_ERR_VALIDATION', field: 'reason', value: 'bad_mood' });
    const v = await as('ana').post(url('conclude-violation'), body);
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ state: 'violation', blacklisted: true, notice: { customerId: 'LA-C3', route: 'LA-R3', district: 'LA-D2', reason: 'illegal_connection' } });
  });

  it('lists and exports per district and route, with the full history', async () => {
    const list = await as('ana').get('/api/blacklist?district=LA-D2');
    expect(list.body.items.filter((i: { customerId: string }) => i.customerId === 'LA-C3')).toEqual([expect.objectContaining({ route: 'LA-R3', reason: 'illegal_connection', caseId, customerName: '钱七' })]);
    expect((await as('ana').get('/api/blacklist?district=LA-D1')).body.items.some((i: { customerId: string }) => i.customerId === 'LA-C3')).toBe(false);
    const csv = await as('ana').get('/api/blacklist?route=LA-R3&format=csv');
    expect(csv.text.startsWith('\uFEFFcustomerId,meterId,customerName')).toBe(true);
    expect(csv.text).toContain('LA-C3,LA-M3,钱七,和平路 3 号,LA-D2,LA-R3,illegal_connection');
    const notices = await as('ivan').get('/api/blacklist/notices?route=LA-R3&format=csv');
    expect(notices.text.startsWith('\uFEFFnoticeId,ts')).toBe(true);
    expect(notices.text).toContain('LA-C3');
    const history = await as('ana').get('/api/blacklist/LA-C3/history');
    expect(history.body).toMatchObject({ onList: true, events: [{ action: 'add', reason: 'illegal_connection', caseId, evidence: { finding: 'bypass pipe, photo 1' } }] });
    expect(history.body.cases[0].visits[0].findings).toBe('bypass pipe around the bulk meter');
    expect(history.body.notices).toHaveLength(1);
  });

  it('removal: a manager only, and only with a reason', async () => {
    expect((await as('sue').post('/api/blacklist/LA-C3/remove', { reason: 'paid' })).body).toMatchObject({ error: 'MW_ERR_FORBIDDEN', allowedRoles: ['manager'] });
    expect((await as('root').post('/api/blacklist/LA-C3/remove', { reason: 'paid' })).status).toBe(403);
    expect((await as('max').post('/api/blacklist/LA-C3/remove', {})).body).toMatchObject({ error: 'MW_ERR_VALIDATION', field: 'reason' });
    const removed = await as('max').post('/api/blacklist/LA-C3/remove', { reason: 'bypass removed, penalty paid, 12 months clean' });
    expect(removed.body).toMatchObject({ action: 'remove', actor: 'max', note: 'bypass removed, penalty paid, 12 months clean' });
    expect((await as('ana').get('/api/blacklist')).body.items.some((i: { customerId: string }) => i.customerId === 'LA-C3')).toBe(false);
    expect((await as('max').post('/api/blacklist/LA-C3/remove', { reason: 'again' })).status).toBe(404);
  });

  it('keeps every write, refused or not, in the audit log', async () => {
    await eventually(async () => {
      const res = await as('max').get('/api/audit?actor=sue&limit=100');
      return res.body.items.some((e: { path: string; status: number }) => e.path === '/api/blacklist/LA-C3/remove' && e.status === 403);
    }, 60_000, 250);
    const res = await as('root').get('/api/audit?actor=max&limit=100');
    expect(res.body.items.find((e: { status: number; path: string }) => e.path === '/api/blacklist/LA-C3/remove' && e.status === 200)).toMatchObject({ role: 'manager', method: 'POST', body: expect.stringContaining('penalty paid') });
  });
});
