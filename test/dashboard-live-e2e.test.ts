import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from './support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config/index.ts';
import { silentLogger } from '../core/logger.ts';
import { startSystem } from '../main.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { connectMqtt, runPrefix } from './support/ingest.ts';
import { sharedEndpoints } from './support/questdb.ts';

/**
 * Issue 8 acceptance, end to end through the real composition root (main.ts startSystem on
 * the shared QuestDB): a meter publishes a tamper-flagged reading over MQTT (QoS 1) to the
 * embedded broker; ingest stores it, analytics raises the alert, the WebSocket carries it,
 * and the live page in Chromium shows it — within 2 s of the publish.
 */
const { httpUrl, pgUrl } = sharedEndpoints();
const dataDir = mkdtempSync(join(tmpdir(), 'mw-live-e2e-'));
const profileDir = mkdtempSync(join(tmpdir(), 'mw-chromium-'));
const P = runPrefix('live');
let stop: (() => Promise<void>) | undefined;
let base: string;
let mqttUrl: string;
let browser: BrowserContext;

beforeAll(async () => {
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const config = loadConfig({}, {
    MW_QUESTDB_URL: httpUrl,
    MW_QUESTDB_PG_URL: pgUrl,
    MW_DATA_DIR: dataDir,
    MW_HTTP_HOST: '127.0.0.1',
    MW_HTTP_PORT: String(httpPort),
    MW_MQTT_HOST: '127.0.0.1',
    MW_MQTT_PORT: String(mqttPort),
    MW_INGEST_AUTH: 'none',
    MW_ANALYTICS_SCHEDULE: '0',
    MW_LOG_LEVEL: 'warn',
  });
  stop = await startSystem(config, silentLogger());
  base = `http://127.0.0.1:${httpPort}`;
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  const res = await fetch(`${base}/api/meters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ meterId: `${P}-M1`, customerId: `${P}-C1`, customerName: '孙丽', address: '重庆市南岸区南坪正街8号', district: '南岸区', route: 'NA-01', category: 'residential', kind: 'smart', spec: 'G2.5', status: 'active', effectiveAt: new Date(Date.now() - 7 * 86_400_000).toISOString() }]),
  });
  expect(res.status).toBe(200);
  browser = await launchChromium(profileDir);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stop?.();
  for (const d of [dataDir, profileDir]) rmSync(d, { recursive: true, force: true });
});

describe('live alert through the whole system', () => {
  it('a tamper reading published over MQTT shows on the live page within 2 s', async () => {
    const meterId = `${P}-M1`;
    const client = await connectMqtt(mqttUrl, { clientId: `${P}-dev` });
    await client.publishAsync(`meters/${meterId}/readings`, JSON.stringify({ ts: new Date(Date.now() - 7_200_000).toISOString(), reading: 100.5 }), { qos: 1 });
    const page = await browser.newPage();
    await page.goto(`${base}/?page=live&range=7d`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.waitForSelector('#feed-status.up', { timeout: 10_000 });
    const row = page.locator('#live-alerts tr[data-rule="tamper"]', { hasText: meterId });
    const published = Date.now();
    await client.publishAsync(`meters/${meterId}/readings`, JSON.stringify({ ts: new Date(Date.now() - 60_000).toISOString(), reading: 100.9, flags: ['tamper'] }), { qos: 1 });
    await row.waitFor({ timeout: 2_000 });
    const elapsed = Date.now() - published;
    console.log(`MQTT publish → alert on the live page: ${elapsed} ms`);
    expect(elapsed).toBeLessThan(2_000);
    await expect(row.getAttribute('class')).resolves.toContain('sev-critical');
    await client.endAsync();
    await page.close();
  });
});
