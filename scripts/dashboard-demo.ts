/**
 * Runs the whole system with a small demo fleet loaded (test/support/dashboard-fleet.ts) and
 * the batch rules run, so the dashboard has something to show: `npm run demo`.
 * Needs a QuestDB (MW_QUESTDB_URL, or `meterwatch questdb start`, or a managed one).
 * `--no-seed` skips loading (the fleet is already there).
 */
import { DateTime } from 'luxon';
import { loadConfig } from '../core/config/index.ts';
import { createLogger } from '../core/logger.ts';
import { startSystem } from '../main.ts';
import { buildFleet, seedFleet } from '../test/support/dashboard-fleet.ts';

const config = loadConfig();
const log = createLogger(config.general.logLevel);
const stop = await startSystem(config, log);
const appUrl = `http://127.0.0.1:${config.http.port}`;
if (!process.argv.includes('--no-seed')) {
  const questdbUrl = config.questdb.url ?? `http://127.0.0.1:${config.questdb.httpPort}`;
  const fleet = buildFleet(config.general.timezone);
  const t0 = Date.now();
  await seedFleet(appUrl, questdbUrl, fleet);
  log.info({ meters: fleet.meters.length, readings: fleet.readings.length, ms: Date.now() - t0 }, 'demo fleet loaded');
  const asOf = DateTime.now().setZone(config.general.timezone).toISO();
  const run = await fetch(`${appUrl}/api/analytics/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ asOf }) });
  log.info({ summary: await run.json() }, 'analytics run');
}
log.info({ url: appUrl }, 'dashboard demo running; Ctrl-C stops');
const quit = () => void stop().then(() => process.exit(0));
process.on('SIGINT', quit);
process.on('SIGTERM', quit);
