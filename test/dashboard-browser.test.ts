import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { alertClassSource } from '../analytics/classes.ts';
import { buildLedger, type LedgerParts } from '../analytics/ledger/build-ledger.ts';
import { TypedBus } from '../core/bus.ts';
import { loadConfig } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { buildApp } from '../dashboard/app.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { RegistryRepo } from '../storage/registry/registry-repo.ts';
import { ReplacementsRepo } from '../storage/registry/replacements-repo.ts';
import { buildFleet, seedFleet, type Fleet } from './support/dashboard-fleet.ts';
import { loadReadings } from './support/load-readings.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';

/**
 * The dashboard driven in a real headless Chromium (Debian's chromium, playwright-core)
 * against the real app on the shared QuestDB with a small fleet loaded (issue 8 acceptance).
 * `MW_SCREENSHOTS=1` writes the page screenshots to docs/screenshots/ (committed, shown in
 * the README); otherwise they go to a temporary directory.
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
const shotsDir = process.env.MW_SCREENSHOTS === '1' ? resolve('docs/screenshots') : mkdtempSync(join(tmpdir(), 'mw-shots-'));
const profileDir = mkdtempSync(join(tmpdir(), 'mw-chromium-'));
const downloadsDir = mkdtempSync(join(tmpdir(), 'mw-downloads-'));

let app: Awaited<ReturnType<typeof buildApp>>;
let base: string;
let browser: BrowserContext;
let fleet: Fleet;
let ledger: LedgerParts;
let offLedger: () => void;

async function openPage(path: string, lang: 'zh-CN' | 'en' = 'zh-CN'): Promise<Page> {
  const page = await browser.newPage();
  // The language a user chose before (localStorage), set once per tab so a reload keeps the page's own choice.
  await page.addInitScript({
    content: `if (!sessionStorage.getItem('mw-test-lang-set')) { localStorage.setItem('meterwatch.lang', ${JSON.stringify(lang)}); sessionStorage.setItem('mw-test-lang-set', '1'); }`,
  });
  await page.goto(`${base}${path}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  fleet = buildFleet(zone);
  // Wired as main.ts does: alerts open ledger cases; access control in its no-users mode
  // (reads open, loopback writes act in the role of the x-role header).
  ledger = await buildLedger({ sql, registry, replacements, config, log, alertStatus: (id, status) => analytics.sink.setStatus(id, status) });
  offLedger = bus.on('alert.raised', ({ alert }) => ledger.service.onAlert(alert).then(() => undefined));
  app = await buildApp({
    log,
    health: { broker: () => ({ state: 'up' }), storage: () => ({ state: 'up' }), ingest: () => ({ accepted: 0, rejected: 0, pending: 0, spooled: 0 }) },
    access: { users: [] },
    ledger: ledger.routes,
    blacklist: { blacklist: ledger.blacklist, ledger: ledger.service, meterInfo: ledger.meterInfo, zone },
    adjustments: { adjustments: ledger.adjustments, supplementary: ledger.supplementary, zone },
    meters: { registry, replacements, zone, bus, classes: ledger.withLedgerClasses(alertClassSource(sql, config.analytics.residentialMonthlyVisit)) },
    meterData: { sql, replacements, zone },
    bus,
    zone,
    alerts: { sql, analytics, zone },
    loss: { sql, zone },
  });
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  base = `http://127.0.0.1:${port}`;
  await seedFleet(base, httpUrl, fleet);
  await analytics.start();
  const run = await app.inject({ method: 'POST', url: '/api/analytics/run', payload: { asOf: Date.now() } });
  expect(run.statusCode).toBe(200);
  await eventually(async () => (await sql.query(`SELECT id FROM alerts WHERE meter_id = 'YZ-B01' AND rule = 'bulk_balance'`)).length > 0, 60_000);
  // not the company zone: dates must still come out in Asia/Shanghai
  browser = await launchChromium(profileDir, { downloadsDir, timezoneId: 'America/New_York' });
  mkdirSync(shotsDir, { recursive: true });
}, 300_000);

afterAll(async () => {
  offLedger?.();
  await browser?.close();
  await app?.close();
  await analytics.stop();
  await sql.close();
  for (const d of [profileDir, downloadsDir, ...(process.env.MW_SCREENSHOTS === '1' ? [] : [shotsDir])]) rmSync(d, { recursive: true, force: true });
});

describe('dashboard in a real Chromium', () => {
  it('shows a live alert within 2 s of its reading being accepted, with a critical badge', async () => {
    const page = await openPage('/?page=live&range=7d');
    await page.waitForSelector('#feed-status.up', { timeout: 10_000 });
    const ts = Date.now() - 60_000;
    const last = fleet.readings.filter((r) => r.meterId === 'JB-C01').at(-1)!;
    // The ingest tier's contract: readings are durable, then 'readings.accepted' goes out.
    await loadReadings(httpUrl, [{ meterId: 'JB-C01', ts, reading: last.reading + 3 }]);
    const published = Date.now();
    bus.emit('readings.accepted', { readings: [{ meterId: 'JB-C01', ts, reading: last.reading + 3, flags: ['tamper'], source: 'mqtt', receivedAt: published }] });
    const row = page.locator('#live-alerts tr[data-rule="tamper"]', { hasText: 'JB-C01' });
    await row.waitFor({ timeout: 2_000 });
    const elapsed = Date.now() - published;
    expect(elapsed).toBeLessThan(2_000);
    console.log(`live alert on the page ${elapsed} ms after its reading was accepted`);
    await expect(row.getAttribute('class')).resolves.toContain('sev-critical');
    await expect(page.locator('#critical-badge').textContent()).resolves.toBe('1');

    // Acknowledge from the page: the stored alert changes status.
    await row.locator('button.ack').click();
    await page.locator('#live-alerts tr[data-rule="tamper"] td.status', { hasText: '已确认' }).waitFor({ timeout: 10_000 });
    await eventually(async () => {
      const res = await app.inject({ url: '/api/alerts?meterId=JB-C01&rule=tamper' });
      return (res.json() as { items: { status: string }[] }).items[0]?.status === 'acknowledged';
    }, 60_000);
    await page.close();
  });

  it('exports the inspection list as XLSX with Chinese headers and the rows of the filter', async () => {
    const page = await openPage('/?page=lists&range=25M&district=渝中区');
    await expect(page.locator('select[name=district]').inputValue()).resolves.toBe('渝中区');
    const expected = (await app.inject({ url: `/api/alerts?district=${encodeURIComponent('渝中区')}&limit=5000&from=${encodeURIComponent(DateTime.now().setZone(zone).minus({ months: 30 }).toISO()!)}` })).json() as { items: { id: string; meterId: string }[] };
    expect(expected.items.length).toBeGreaterThan(3);
    await expect(page.locator('table.alerts tbody tr').count()).resolves.toBe(expected.items.length);
    await expect(page.locator('table.alerts tbody tr[data-rule="bulk_balance"]').first().textContent()).resolves.toContain('渝中区阳光小区');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
    const file = join(downloadsDir, 'alerts.xlsx');
    await download.saveAs(file);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('告警清单');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 10)).toEqual(['片区', '抄表路线', '表号', '用户编号', '用户名称', '地址', '联系电话', '规则', '级别', '状态']);
    const idColumn = header.indexOf('告警编号') + 1;
    const rows: { district: string; meterId: string; id: string; address: string }[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const v = row.values as unknown[];
      rows.push({ district: String(v[1]), meterId: String(v[3]), address: String(v[6]), id: String(v[idColumn]) });
    });
    // Inspection teams go to addresses: the registry's address is on every row.
    const bulk = fleet.meters.find((m) => m.meterId === 'YZ-B01')!;
    expect(rows.find((r) => r.meterId === 'YZ-B01')!.address).toBe(bulk.address);
    expect(rows.map((r) => r.id).sort()).toEqual(expected.items.map((a) => a.id).sort());
    expect(new Set(rows.map((r) => r.district))).toEqual(new Set(['渝中区']));
    expect(rows.some((r) => r.meterId === 'YZ-B01')).toBe(true);
    await page.close();
  });

  it('prints the inspection list without the navigation, filters and buttons', async () => {
    const page = await openPage('/?page=lists&range=25M&district=渝中区&rule=bulk_balance');
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('header.top').isVisible()).resolves.toBe(false);
    await expect(page.locator('.filters').isVisible()).resolves.toBe(false);
    await expect(page.locator('#export-xlsx').isVisible()).resolves.toBe(false);
    await expect(page.locator('.print-only').isVisible()).resolves.toBe(true);
    await expect(page.locator('table.alerts tbody tr').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(shotsDir, 'lists-print-zh-CN.png'), fullPage: true });
    await page.close();
  });

  it('keeps the view in the URL and the language across reloads', async () => {
    const page = await openPage('/?page=lists&range=25M&rule=bulk_balance');
    await expect(page.locator('select[name=rule]').inputValue()).resolves.toBe('bulk_balance');
    const rules = await page.locator('table.alerts tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule')));
    expect(rules.length).toBeGreaterThan(0);
    expect(new Set(rules)).toEqual(new Set(['bulk_balance']));
    await page.selectOption('select[name=district]', '渝中区');
    expect(new URL(page.url()).searchParams.get('district')).toBe('渝中区');
    await page.click('#lang-toggle');
    await expect(page.locator('nav a[data-page=lists]').textContent()).resolves.toBe('Inspection lists');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await expect(page.locator('nav a[data-page=lists]').textContent()).resolves.toBe('Inspection lists');
    await expect(page.locator('select[name=district]').inputValue()).resolves.toBe('渝中区');
    await page.close();
  });

  it('shows dates in the company time zone whatever the browser zone', async () => {
    const page = await openPage('/?page=lists&range=25M&rule=bulk_balance&district=渝中区');
    const period = await page.locator('table.alerts tbody tr td:nth-child(9)').first().textContent();
    // Monthly rules: periods run from the 1st to the 1st of the next month in Asia/Shanghai
    // (column 9 of the inspection list: raised, meter, customer, address, district, route, rule, severity, period).
    expect(period).toMatch(/^\d{4}-\d{2}-01 – \d{4}-\d{2}-01$/);
    await page.close();
  });

  it('draws the meter drill-down, bulk meter and gas loss pages from the database', async () => {
    const meter = await openPage('/?page=meter&meter=YZ-B01&range=12M');
    await meter.waitForSelector('#usage-chart canvas');
    await expect(meter.locator('main').getAttribute('data-readings')).resolves.not.toBe('0');
    await expect(meter.locator('#blacklist-status').textContent()).resolves.toBe('否');
    await meter.close();
    const bulk = await openPage('/?page=bulk&range=12M');
    // The district-2 bulk meter's loss grows past 8 %: it is the worst and comes first.
    await expect(bulk.locator('#bulk-table tbody tr').first().getAttribute('data-bulk')).resolves.toBe('YZ-B01');
    await bulk.waitForSelector('#bulk-chart canvas');
    await bulk.close();
    const loss = await openPage('/?page=loss&range=12M&n=1');
    await expect(loss.locator('#worst-table tbody tr').count()).resolves.toBe(1);
    await expect(loss.locator('#district-table tbody tr', { hasText: '江北区' }).count()).resolves.toBe(1);
    await loss.close();
  });

  it('walks a ledger case from open to violation in the roles the ledger asks for, and blacklists the customer', async () => {
    const page = await openPage('/?page=ledger&tab=cases');
    // Who acts: the name (x-actor) first, then the role, whose change re-renders the page.
    const asRole = async (role: string, name = role === 'inspector' ? 'ivan' : 'ana') => {
      await page.fill('input[name=actor]', name);
      await page.press('input[name=actor]', 'Tab');
      await page.selectOption('select[name=role]', role);
      await page.waitForSelector(`select[name=role] >> nth=0`);
    };
    await asRole('analyst');
    const row = page.locator('#cases-table tbody tr', { hasText: 'YZ-C02' });
    await row.locator('a').click();
    await page.waitForSelector('#case-detail[data-state=open]');
    // An inspector may not assign: the form is not offered.
    await asRole('inspector');
    await page.waitForSelector('#case-detail[data-state=open]');
    await expect(page.locator('form[data-action=assign]').count()).resolves.toBe(0);
    await asRole('analyst');
    await page.fill('form[data-action=assign] input[name=inspector]', 'ivan');
    await page.fill('form[data-action=assign] input[name=dueAt]', DateTime.now().setZone(zone).plus({ days: 3 }).toISODate()!);
    await page.click('form[data-action=assign] button[type=submit]');
    await page.waitForSelector('#case-detail[data-state=assigned]', { timeout: 10_000 });
    await asRole('inspector');
    await page.fill('form[data-action=visit] textarea[name=findings]', '表具铅封被破坏，旁通管私接');
    await page.click('form[data-action=visit] button[type=submit]');
    await page.waitForSelector('#case-detail[data-state=visited]', { timeout: 10_000 });
    await asRole('analyst');
    await page.selectOption('form[data-action=conclude-violation] select[name=reason]', 'theft');
    await page.fill('form[data-action=conclude-violation] textarea[name=evidence]', '现场照片与用量突变');
    await page.fill('form[data-action=conclude-violation] input[name=penaltyNote]', '按条例补量并处罚');
    await page.click('form[data-action=conclude-violation] button[type=submit]');
    await page.waitForSelector('#case-detail[data-state=violation]', { timeout: 10_000 });
    const detail = await page.locator('#case-detail').textContent();
    expect(detail).toContain('表具铅封被破坏');
    expect(detail).toContain('ivan');
    await page.click('button[data-tab=blacklist]');
    await page.waitForSelector('#blacklist-table tbody tr[data-customer="C-YZ-C02"]', { timeout: 10_000 });
    await page.close();
    const meter = await openPage('/?page=meter&meter=YZ-C02&range=12M');
    await expect(meter.locator('#blacklist-status').textContent()).resolves.toBe('是');
    await meter.close();
  });

  it('takes a screenshot of each page in zh-CN and en', async () => {
    const violation = ((await app.inject({ url: '/api/ledger/cases?state=violation' })).json() as { items: { caseId: string }[] }).items[0]?.caseId ?? '';
    const pages: [string, string][] = [
      ['live', '/?page=live&range=12M'],
      ['lists', '/?page=lists&range=25M&district=渝中区&sort=score'],
      ['meter', '/?page=meter&meter=YZ-B01&range=12M'],
      ['bulk', '/?page=bulk&range=12M&bulk=YZ-B01'],
      ['loss', '/?page=loss&range=25M&n=5'],
      ['ledger', `/?page=ledger&tab=cases&case=${violation}`],
      ['blacklist', '/?page=ledger&tab=blacklist'],
    ];
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const [name, path] of pages) {
        const page = await openPage(path, lang);
        await page.waitForTimeout(800); // echarts' entry animation
        await page.screenshot({ path: join(shotsDir, `${name}-${lang}.png`), fullPage: true });
        await page.close();
      }
    }
  });
});
