#!/usr/bin/env -S npx tsx
/**
 * Composition root and CLI: the only file that wires the parts together (architecture.md).
 * Parts are started in dependency order and stopped in reverse.
 */
import { Command } from 'commander';
import { loadConfig, describeSettings, type Config } from './core/config/index.ts';
import { isMeterwatchError } from './core/errors.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { openStorage } from './storage/open-storage.ts';
import { managedOptions } from './storage/open-storage.ts';
import { ensureQuestdbJar } from './storage/questdb/jar.ts';
import { checkJava } from './storage/questdb/java.ts';
import { detachedStatus, startDetached, stopDetached } from './storage/questdb/detached.ts';
import { migrate } from './storage/migrations/index.ts';
import { SqlClient } from './storage/sql.ts';
import { EmbeddedBroker } from './ingest/broker/embedded-broker.ts';
import { buildApp } from './dashboard/app.ts';
import { RegistryRepo } from './storage/registry/registry-repo.ts';
import { ReplacementsRepo } from './storage/registry/replacements-repo.ts';
import { TypedBus } from './core/bus.ts';
import type { MeterwatchEvents } from './core/events.ts';
import { AnalyticsService } from './analytics/analytics-service.ts';
import { alertClassSource } from './analytics/classes.ts';
import { alertJson } from './analytics/alerts/alert-json.ts';
import type { StoredAlert } from './analytics/alerts/alert-rows.ts';
import { buildLedger } from './analytics/ledger/build-ledger.ts';
import { loadUsersFile } from './dashboard/auth/users.ts';
import { AuditLog } from './dashboard/auth/audit-log.ts';

type Stopper = { name: string; stop: () => Promise<void> };

/** Runs the whole system: storage, broker, HTTP API. Resolves with a function that stops it. */
export async function startSystem(config: Config, log: Logger): Promise<() => Promise<void>> {
  const stoppers: Stopper[] = [];
  const stopAll = async () => {
    for (const s of stoppers.reverse()) {
      try {
        await s.stop();
        log.info({ part: s.name }, 'stopped');
      } catch (err) {
        log.error({ part: s.name, err }, 'stop failed');
      }
    }
    stoppers.length = 0;
  };
  try {
    const storage = await openStorage(config, log);
    stoppers.push({ name: 'storage', stop: () => storage.close() });

    const bus = new TypedBus<MeterwatchEvents>(log.child({ module: 'bus' }));
    const broker = new EmbeddedBroker({
      host: config.mqtt.host,
      port: config.mqtt.port,
      log: log.child({ module: 'broker' }),
    });
    await broker.start();
    stoppers.push({ name: 'broker', stop: () => broker.stop() });

    // Registry read model (issue 4): ingest uses registry.knownMeter() when the registry is enforced.
    const registry = new RegistryRepo(storage.sql, storage.endpoints.httpUrl, log.child({ module: 'registry' }), config.registry.knownRefresh);
    const replacements = new ReplacementsRepo(storage.sql, storage.endpoints.httpUrl);
    const analytics = new AnalyticsService({ sql: storage.sql, httpUrl: storage.endpoints.httpUrl, bus, config, log });
    await analytics.start();
    stoppers.push({ name: 'analytics', stop: () => analytics.stop() });
    // Alerts also go out on MQTT: alerts/{rule}/{meterId} (issue: analytics, item 4).
    bus.on('alert.raised', ({ alert }) => {
      broker.aedes.publish(
        { cmd: 'publish', topic: `alerts/${alert.rule}/${alert.meterId}`, payload: Buffer.from(JSON.stringify(alertJson(alert as StoredAlert, config.general.timezone))), qos: 0, retain: false, dup: false },
        () => undefined,
      );
    });

    // Abnormal-usage ledger, blacklist, supplementary volume (issue 7): alerts that need a
    // site visit open or join a case for the customer.
    const ledger = await buildLedger({ sql: storage.sql, registry, replacements, config, log: log.child({ module: 'ledger' }), alertStatus: (id, status) => analytics.sink.setStatus(id, status),
      // Blacklist monitoring notices reach the area reader's handheld: notices/blacklist/{route}/{readerId}.
      onNotice: (n) =>
        broker.aedes.publish(
          { cmd: 'publish', topic: `notices/blacklist/${n.route ?? 'no-route'}/${n.readerId ?? 'unassigned'}`, payload: Buffer.from(JSON.stringify(n)), qos: 1, retain: false, dup: false },
          () => undefined,
        ),
    });
    const offLedger = bus.on('alert.raised', ({ alert }) => ledger.service.onAlert(alert).then(() => undefined));
    stoppers.push({ name: 'ledger', stop: async () => offLedger() });
    await ledger.catchUp();
    const users = config.access.usersFile ? loadUsersFile(config.access.usersFile) : [];
    const audit = new AuditLog(storage.sql, log.child({ module: 'audit' }));
    const kpi = { readDayFirst: config.ledger.readDayFirst, readDayLast: config.ledger.readDayLast, seenTarget: config.ledger.seenTarget, faultLimitMs: config.ledger.faultDays };

    const app = await buildApp({
      log,
      access: { users, audit },
      ledger: ledger.routes,
      adjustments: { adjustments: ledger.adjustments, supplementary: ledger.supplementary, zone: config.general.timezone },
      blacklist: { blacklist: ledger.blacklist, ledger: ledger.service, meterInfo: ledger.meterInfo, zone: config.general.timezone },
      kpis: { sql: storage.sql, zone: config.general.timezone, kpi, audit },
      meters: { registry, replacements, zone: config.general.timezone, bus, classes: ledger.withLedgerClasses(alertClassSource(storage.sql, config.analytics.residentialMonthlyVisit)) },
      meterData: { sql: storage.sql, replacements, zone: config.general.timezone, maxReadings: config.registry.maxReadings, adjustments: (id) => ledger.adjustments.approvedParts(id) },
      health: {
        broker: () => ({ ...broker.state() }),
        storage: () => ({ ...storage.monitor.state, mode: storage.mode }),
        ingest: () => ({ accepted: 0, rejected: 0, pending: 0, spooled: 0 }),
      },
      bus,
      zone: config.general.timezone,
      alerts: { sql: storage.sql, analytics, zone: config.general.timezone },
      loss: { sql: storage.sql, zone: config.general.timezone },
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    stoppers.push({ name: 'http', stop: () => app.close() });
    log.info({ url: `http://${config.http.host}:${config.http.port}` }, 'meterwatch is running');
  } catch (err) {
    await stopAll();
    throw err;
  }
  return stopAll;
}

function onShutdownSignals(stop: () => Promise<void>, log: Logger): void {
  let stoppingSince = 0;
  const handler = (signal: NodeJS.Signals) => {
    // Ctrl-C reaches us up to three times at once (terminal, npm and tsx all relay it):
    // only a signal well after the first means "stop waiting".
    if (stoppingSince > 0) {
      if (Date.now() - stoppingSince < 3_000) return;
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stoppingSince = Date.now();
    log.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
}

function report(err: unknown): never {
  if (isMeterwatchError(err)) {
    process.stderr.write(`meterwatch: ${err.describe()}\n`);
  } else {
    process.stderr.write(`meterwatch: ${(err as Error)?.stack ?? String(err)}\n`);
  }
  process.exit(1);
}

const SETTINGS_HELP = `\nSettings (environment variables, [default]):\n${describeSettings()}\n`;

export function buildCli(): Command {
  const program = new Command('meterwatch').description('Telemetry and anomaly analytics for city natural-gas meters');

  program
    .command('start')
    .description('run the whole system: QuestDB (managed unless MW_QUESTDB_URL), MQTT broker, HTTP API and dashboard')
    .addHelpText('after', SETTINGS_HELP)
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.general.logLevel);
      const stop = await startSystem(config, log);
      onShutdownSignals(stop, log);
    });

  program
    .command('migrate')
    .description('apply the schema migrations to QuestDB and exit')
    .addHelpText('after', SETTINGS_HELP)
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.general.logLevel);
      const storage = await openStorage(config, log);
      await storage.close();
    });

  const questdb = program.command('questdb').description('manage a local QuestDB that outlives one command').addHelpText('after', SETTINGS_HELP);
  questdb
    .command('start')
    .description('fetch (first time) and start QuestDB in the background on MW_DATA_DIR; `meterwatch start` then uses it')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.general.logLevel).child({ module: 'questdb' });
      checkJava(config.questdb.java);
      const jar = await ensureQuestdbJar({ ...config.questdb, cacheDir: config.general.cacheDir, log });
      const endpoints = await startDetached(managedOptions(config, log, jar));
      const sql = new SqlClient(endpoints.pgUrl, log);
      await migrate(sql, log);
      await sql.close();
      process.stdout.write(`QuestDB running: ${endpoints.httpUrl} (console), ${endpoints.pgUrl}\n`);
    });
  questdb
    .command('stop')
    .description('stop the background QuestDB')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.general.logLevel);
      const stopped = await stopDetached(managedOptions(config, log));
      process.stdout.write(stopped ? 'QuestDB stopped\n' : 'QuestDB was not running\n');
    });
  questdb
    .command('status')
    .description('is a QuestDB running on MW_DATA_DIR, and does it answer SQL?')
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.general.logLevel);
      const s = await detachedStatus(managedOptions(config, log));
      process.stdout.write(`${JSON.stringify({ ...s }, null, 2)}\n`);
      process.exitCode = s.running && s.healthy ? 0 : 3;
    });

  return program;
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('main.ts');
if (isMain) {
  buildCli().parseAsync(process.argv).catch(report);
}
