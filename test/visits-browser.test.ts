import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerParts } from '../analytics/ledger/build-ledger.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { sqlString, sqlTimestamp } from '../storage/sql.ts';
import { caller, ledgerApp, tokenOf } from './support/ledger-app.ts';
import { eventually, sharedSql } from './support/questdb.ts';

/**
 * The visit-schedule page (issue 6 item 2) in a real headless Chromium whose own zone is not
 * the company's: windows come out in Asia/Shanghai days, overdue first, the view state is in
 * the URL, and the Excel export has Chinese headers. Small on purpose (two customers).
 */
const sql = sharedSql();
const D = 'VB-D1';
let app: FastifyInstance;
let ledger: LedgerParts;
let base: string;
let browser: BrowserContext;
const profileDir = mkdtempSync(join(tmpdir(), 'mw-chromium-'));
const downloadsDir = mkdtempSync(join(tmpdir(), 'mw-downloads-'));
/** `MW_SCREENSHOTS=1`: the page's screenshot goes to docs/screenshots/ (shown in the README), like dashboard-browser.test.ts. */
const shotsDir = process.env.MW_SCREENSHOTS === '1' ? resolve('docs/screenshots') : mkdtempSync(join(tmpdir(), 'mw-shots-'));

async function openPage(path: string): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript({ content: `localStorage.setItem('meterwatch.lang', 'zh-CN'); localStorage.setItem('meterwatch.token', ${JSON.stringify(tokenOf('ana'))});` });
  await page.goto(`${base}${path}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  ({ app, ledger } = await ledgerApp(sql));
  const as = caller(app);
  const meters = ['VB-M1', 'VB-M2'].map((meterId, i) => ({ meterId, customerId: meterId.replace('M', 'C'), customerName: `商户${i + 1}`, address: `长江路 ${i + 1} 号`, district: D, route: 'VB-R1', category: 'commercial', kind: 'smart', spec: 'G40', status: 'active', effectiveAt: '2025-01-01T00:00:00+08:00' }));
  expect((await as('ana').post('/api/meters', meters)).status).toBe(200);
  // VB-M1: large flow in August, visited on the 5th; VB-M2: large flow in July, never visited.
  const aug = Date.parse('2026-08-01T00:00:00+08:00');
  const jul = Date.parse('2026-07-01T00:00:00+08:00');
  await sql.exec(`INSERT INTO alerts (period_start, period_end, raised_at, updated_at, id, meter_id, customer_id, district, route, rule, severity, status, value, threshold, score, message, evidence) VALUES
    (${sqlTimestamp(aug)}, ${sqlTimestamp(aug + 31 * 86_400_000)}, ${sqlTimestamp(aug)}, ${sqlTimestamp(aug)}, 'vb-a', 'VB-M1', 'VB-C1', ${sqlString(D)}, 'VB-R1', 'large_flow', 'warning', 'open', 48, 40, 2, 'test', '{}'),
    (${sqlTimestamp(jul)}, ${sqlTimestamp(aug)}, ${sqlTimestamp(jul)}, ${sqlTimestamp(jul)}, 'vb-b', 'VB-M2', 'VB-C2', ${sqlString(D)}, 'VB-R1', 'large_flow', 'warning', 'open', 41, 40, 2, 'test', '{}')`);
  await eventually(async () => (await sql.query(`SELECT id FROM alerts WHERE district = ${sqlString(D)}`)).length === 2, 60_000);
  const c = await ledger.service.onAlert({ id: 'vb-a', raisedAt: aug, meterId: 'VB-M1', customerId: 'VB-C1', rule: 'large_flow', severity: 'warning', periodStart: aug, periodEnd: aug + 31 * 86_400_000, value: 48, threshold: 40, score: 2, message: 'test', status: 'open' });
  expect((await as('ana').post(`/api/ledger/cases/${c!.caseId}/assign`, { inspector: 'ivan' })).status).toBe(200);
  expect((await as('ivan').post(`/api/ledger/cases/${c!.caseId}/visit`, { findings: '读数核对无误', visitedAt: '2026-08-05T10:00:00+08:00' })).status).toBe(200);
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  base = `http://127.0.0.1:${port}`;
  // not the company zone: dates must still come out in Asia/Shanghai
  browser = await launchChromium(profileDir, { downloadsDir, timezoneId: 'America/New_York' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await sql.close();
  for (const d of [profileDir, downloadsDir, ...(process.env.MW_SCREENSHOTS === '1' ? [] : [shotsDir])]) rmSync(d, { recursive: true, force: true });
});

describe('visit schedule page', () => {
  it('lists the windows in company-zone days, overdue first, with the state in the URL', async () => {
    const page = await openPage(`/?page=visits&asOf=2026-08-20&district=${encodeURIComponent(D)}`);
    await page.waitForSelector('table.visits tbody tr');
    await expect(page.locator('nav a[data-page=visits]').textContent()).resolves.toBe('巡检计划');
    const rows = await page.locator('table.visits tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-meter-id'), tr.getAttribute('data-window'), tr.getAttribute('data-state'), tr.children[1]!.textContent]));
    expect(rows).toEqual([
      ['VB-M2', '1', 'overdue', '2026-08-01 – 2026-08-15'],
      ['VB-M1', '2', 'due', '2026-08-16 – 2026-08-31'],
      ['VB-M2', '2', 'due', '2026-08-16 – 2026-08-31'],
      ['VB-M1', '1', 'done', '2026-08-01 – 2026-08-15'],
    ]);
    await expect(page.locator('tr[data-state=done] td').nth(9).textContent()).resolves.toBe('2026-08-05 10:00');
    await expect(page.locator('#visit-totals').textContent()).resolves.toBe('逾期未检 1 · 待巡检 2 · 未到期 0 · 已完成 1');
    await page.screenshot({ path: join(shotsDir, 'visits-zh-CN.png'), fullPage: true });
    await page.selectOption('select[name=state]', 'overdue');
    await expect.poll(() => page.locator('table.visits tbody tr').count(), { timeout: 10_000 }).toBe(1);
    expect(new URL(page.url()).searchParams.get('state')).toBe('overdue');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
    const file = join(downloadsDir, 'visits-due.xlsx');
    await download.saveAs(file);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('巡检计划')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('状态');
    expect(sheet.rowCount).toBe(2); // the filtered view: one overdue window
    expect(sheet.getRow(2).getCell(4).value).toBe('VB-M2');
    await page.close();
  });
});
