import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run), headless, in a throw-away profile. */
export function launchChromium(profileDir: string, extra: { downloadsDir?: string; timezoneId?: string } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ...(extra.downloadsDir !== undefined ? { viewport: { width: 1400, height: 900 }, acceptDownloads: true, downloadsPath: extra.downloadsDir } : {}),
    ...(extra.timezoneId !== undefined ? { timezoneId: extra.timezoneId } : {}),
  });
}
