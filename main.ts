#!/usr/bin/env -S npx tsx
/**
 * Composition root and CLI: the only file that wires the parts together (architecture.md).
 * Parts are started in dependency order and stopped in reverse.
 */
import { Command } from 'commander';
import { loadConfig, describeSettings, type Config } from './core/config/index.ts';
import { ErrorCodes, MeterwatchError, isMeterwatchError } from './core/errors.ts';
import { isValidId } from './core/ids.ts';
import { devicePassword, deviceUsername } from './ingest/broker/security.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { managedOptions, openStorage, type Storage } from './storage/open-storage.ts';
import { ensureQuestdbJar } from './storage/questdb/jar.ts';
import { checkJava } from './storage/questdb/java.ts';
import { detachedStatus, startDetached, stopDetached } from './storage/questdb/detached.ts';
import { migrate } from './storage/migrations/index.ts';
import { SqlClient } from './storage/sql.ts';
import { TypedBus } from './core/bus.ts';
import type { MeterwatchEvents } from './core/events.ts';
import { microBatch } from './core/micro-batch.ts';
import type { Alert } from './core/types.ts';
import { startIngestTier, type IngestTier } from './ingest/ingest-tier.ts';
import { buildApp } from './dashboard/app.ts';
import type { HealthSources } from './dashboard/health.ts';
import type { IngestRoutesDeps } from './dashboard/routes/ingest.ts';
import { RegistryRepo } from './storage/registry/registry-repo.ts';
import { ReplacementsRepo } from './storage/registry/replacements-repo.ts';
import { WeatherRepo } from './storage/weather/weather-repo.ts';
import { AnalyticsService } from './analytics/analytics-service.ts';
import { alertClassSource } from './analytics/classes.ts';
import { alertJson } from './analytics/alerts/alert-json.ts';
import type { StoredAlert } from './analytics/alerts/alert-rows.ts';
import { buildLedger } from './analytics/ledger/build-ledger.ts';
import { visitsFromCases } from './analytics/visits/visits-due.ts';
import { loadUsersFile } from './dashboard/auth/users.ts';
import { AuditLog } from './dashboard/auth/audit-log.ts';
import { runSimulation } from './simulators/run-simulation.ts';
import { parseChoice, parseCount, parseDuration, parseInstant, parsePositive, parseShare, parseUrl } from './simulators/cli-options.ts';

/** Alerts published on MQTT per turn of the event loop. */
const ALERT_PUBLISH_CHUNK = 2_000;

type Stopper = { name: string; stop: () => Promise<void> };

export interface SystemOptions {
  /** `all` runs everything; `ingest` runs the ingest role alone (`meterwatch ingest`). */
  role?: 'all' | 'ingest';
  /** Registry lookup for MW_INGEST_ENFORCE_REGISTRY (wired once the registry part lands). */
  knownMeter?: (meterId: string) => boolean | undefined;
}

/** Runs the system: storage, ingest (broker or external subscription), HTTP API. Resolves with a function that stops it. */
export async function startSystem(config: Config, log: Logger, options: SystemOptions = {}): Promise<() => Promise<void>> {
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
  const role = options.role ?? 'all';
  try {
    const storage = await openStorage(config, log);
    stoppers.push({ name: 'storage', stop: () => storage.close() });
    const bus = new TypedBus<MeterwatchEvents>(log.child({ module: 'bus' }));

    // Registry read model (issue 4): ingest asks it whether a meter is known when
    // MW_INGEST_ENFORCE_REGISTRY is on.
    const registry = new RegistryRepo(storage.sql, storage.endpoints.httpUrl, log.child({ module: 'registry' }), config.registry.knownRefresh);
    const replacements = new ReplacementsRepo(storage.sql, storage.endpoints.httpUrl);
    if (config.ingest.enforceRegistry) await registry.reloadKnown();
    const knownMeter = options.knownMeter ?? ((id: string) => registry.knownMeterNow(id));

    const ingest = await startIngestTier({ config, questdbHttpUrl: storage.endpoints.httpUrl, bus, log, knownMeter });
    stoppers.push({ name: 'ingest', stop: () => ingest.stop() });
    const publish = (topic: string, payload: unknown, qos: 0 | 1) =>
      ingest.broker?.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos, retain: false, dup: false }, () => undefined);

    if (role === 'ingest') {
      const app = await buildApp({ log, health: healthOf(ingest, storage), ingest: ingestDeps(ingest, storage, config) });
      await app.listen({ host: config.http.host, port: config.http.port });
      stoppers.push({ name: 'http', stop: () => app.close() });
      log.info({ url: `http://${config.http.host}:${config.http.port}`, role }, 'meterwatch ingest is running');
      return stopAll;
    }

    const analytics = new AnalyticsService({ sql: storage.sql, httpUrl: storage.endpoints.httpUrl, bus, config, log });
    await analytics.start();
    stoppers.push({ name: 'analytics', stop: () => analytics.stop() });
    // Alerts also go out on MQTT: alerts/{rule}/{meterId} (issue: analytics, item 4).
    // Batched and yielding between chunks: a first pass over years of history raises alerts by
    // the hundred thousand, and the broker must keep serving devices meanwhile.
    const toMqtt = microBatch<Alert>(async (alerts) => {
      for (let i = 0; i < alerts.length; i += ALERT_PUBLISH_CHUNK) {
        for (const alert of alerts.slice(i, i + ALERT_PUBLISH_CHUNK)) publish(`alerts/${alert.rule}/${alert.meterId}`, alertJson(alert as StoredAlert, config.general.timezone), 0);
        await new Promise((r) => setImmediate(r));
      }
    }, (err) => log.warn({ err }, 'publishing alerts on MQTT failed'));
    bus.on('alert.raised', ({ alert }) => toMqtt(alert));

    // Abnormal-usage ledger, blacklist, supplementary volume (issue 7): alerts that need a
    // site visit open or join a case for the customer.
    const ledger = await buildLedger({ sql: storage.sql, httpUrl: storage.endpoints.httpUrl, registry, replacements, config, log: log.child({ module: 'ledger' }), alertStatus: (id, status) => analytics.sink.setStatus(id, status),
      // Blacklist monitoring notices reach the area reader's handheld: notices/blacklist/{route}/{readerId}.
      onNotice: (n) => publish(`notices/blacklist/${n.route ?? 'no-route'}/${n.readerId ?? 'unassigned'}`, n, 1),
    });
    // Batched: a batch pass raises alerts by the hundred thousand, one bus event each.
    const toLedger = microBatch<Alert>((alerts) => ledger.service.onAlerts(alerts), (err, alerts) => log.error({ err, alerts: alerts.length }, 'ledger could not take alerts; they are taken again at the next start (catch-up)'));
    const offLedger = bus.on('alert.raised', ({ alert }) => toLedger(alert));
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
      meters: { registry, replacements, zone: config.general.timezone, bus, classes: ledger.withLedgerClasses(alertClassSource(storage.sql, config.analytics.residentialMonthlyVisit, { zone: config.general.timezone, largeFlowMonths: config.visits.largeFlowMonths, monthlyMonths: config.visits.monthlyMonths })) },
      meterData: { sql: storage.sql, replacements, zone: config.general.timezone, maxReadings: config.registry.maxReadings, adjustments: (id) => ledger.adjustments.approvedParts(id) },
      health: healthOf(ingest, storage),
      ingest: ingestDeps(ingest, storage, config),
      bus,
      zone: config.general.timezone,
      alerts: { sql: storage.sql, analytics, zone: config.general.timezone },
      loss: { sql: storage.sql, zone: config.general.timezone },
      visits: {
        sql: storage.sql,
        metersAsOf: (ids, t) => registry.metersAsOf(ids, t),
        ledgerVisits: () => visitsFromCases(ledger.service.store.all()),
        options: { zone: config.general.timezone, monthlyVisitM3: config.analytics.residentialMonthlyVisit, largeFlowMonths: config.visits.largeFlowMonths, monthlyMonths: config.visits.monthlyMonths },
      },
      weather: { weather: new WeatherRepo(storage.sql, storage.endpoints.httpUrl), zone: config.general.timezone, baseC: config.analytics.hddBase },
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    stoppers.push({ name: 'http', stop: () => app.close() });
    log.info({ url: `http://${config.http.host}:${config.http.port}`, role: options.role ?? 'all' }, 'meterwatch is running');
  } catch (err) {
    await stopAll();
    throw err;
  }
  return stopAll;
}

function healthOf(ingest: IngestTier, storage: Storage): HealthSources {
  return {
    broker: () => ({ ...ingest.brokerState() }),
    storage: () => ({ ...storage.monitor.state, mode: storage.mode }),
    ingest: () => ingest.health(),
  };
}

function ingestDeps(ingest: IngestTier, storage: Storage, config: Config): IngestRoutesDeps {
  return { ingest: ingest.service, sql: storage.sql, apiToken: ingest.apiToken, metrics: () => ingest.metricsText(), maxBodyBytes: config.ingest.maxPayloadBytes };
}

/**
 * The small fleet `meterwatch start` runs against itself (issue 5 item 2): a short
 * back-filled history, then live, accelerated until it reaches the real clock. Returns a
 * function that stops it.
 */
function startBuiltInFleet(config: Config, log: Logger): () => Promise<void> {
  const local = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const controller = new AbortController();
  const mqttUrl = config.mqtt.mode === 'external' ? config.mqtt.url : `mqtt://${local(config.mqtt.host)}:${config.mqtt.port}`;
  const sim = config.simulator;
  const simLog = log.child({ module: 'simulator' });
  const done = runSimulation({
    meters: sim.meters,
    months: sim.months,
    faultShare: sim.faults,
    seed: sim.seed,
    url: `http://${local(config.http.host)}:${config.http.port}`,
    mqttUrl,
    mode: 'live',
    rate: sim.rate,
    catchUpMs: sim.catchUp,
    concurrency: 4,
    inflight: 200,
    batchRecords: 1000,
    registry: true,
    timezone: config.general.timezone,
    progress: false,
    log: simLog,
    signal: controller.signal,
  }).then(
    (summary) => simLog.info({ sent: summary.sent }, 'simulated fleet stopped'),
    (err: unknown) => simLog.error({ err }, 'simulated fleet failed'),
  );
  simLog.info({ meters: sim.meters, rate: sim.rate }, 'simulated fleet starting (MW_SIMULATE=false or --no-simulate turns it off)');
  return async () => {
    controller.abort();
    await done;
  };
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
    .option('--no-simulate', 'do not run the small simulated fleet (same as MW_SIMULATE=false)')
    .addHelpText('after', SETTINGS_HELP)
    .action(async (opts: { simulate: boolean }) => {
      const config = loadConfig();
      const log = createLogger(config.general.logLevel);
      const stopSystem = await startSystem(config, log);
      const stopFleet = opts.simulate && config.simulator.enabled ? startBuiltInFleet(config, log) : async () => {};
      onShutdownSignals(async () => {
        await stopFleet();
        await stopSystem();
      }, log);
    });

  program
    .command('simulate')
    .description('simulate a city fleet of gas meters against a running meterwatch, from outside, as the devices would')
    .option('--meters <n>', 'meters in the fleet (supply and household meters included)', '100000')
    .option('--months <n>', 'full months of history before the current month (which is simulated up to today)', '25')
    .option('--faults <share>', 'share of customer meters with an injected fault, e.g. 2% or 0.02', '2%')
    .option('--seed <n>', 'seed: the same seed gives the same fleet, series and faults', '42')
    .option('--rate <x>', 'go live after the back-fill: simulated seconds per real second (1 = real time)')
    .option('--duration <d>', 'live mode: stop after this long (e.g. 10m); default: until Ctrl-C')
    .option('--catch-up <d>', 'live mode: the last part of the history played live instead of back-filled', '1d')
    .option('--url <url>', 'meterwatch HTTP API', 'http://127.0.0.1:8080')
    .option('--mqtt <url>', 'MQTT broker (meter messages go over HTTP without it)')
    .option('--transport <t>', 'meter messages over mqtt or http [mqtt when --mqtt is given]')
    .option('--truth <file>', 'write the ground truth (JSON lines) to this file')
    .option('--concurrency <n>', 'HTTP requests in flight', '8')
    .option('--inflight <n>', 'unacknowledged MQTT QoS 1 messages', '1000')
    .option('--batch <n>', 'readings per POST /api/readings', '2000')
    .option('--now <ts>', 'pretend the clock reads this (ISO 8601 with offset, or epoch ms)')
    .option('--no-registry', 'do not upload the registry (POST /api/meters) first')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText('after', SETTINGS_HELP)
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const config = loadConfig();
      const log = createLogger(config.general.logLevel).child({ module: 'simulator' });
      const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      process.once('SIGTERM', () => controller.abort());
      const rate = str('rate');
      const summary = await runSimulation({
        meters: parseCount('--meters', str('meters')!, 2),
        months: parseCount('--months', str('months')!),
        faultShare: parseShare('--faults', str('faults')!),
        seed: parseCount('--seed', str('seed')!, 0),
        url: parseUrl('--url', str('url')!, ['http:', 'https:']),
        mqttUrl: str('mqtt') === undefined ? undefined : parseUrl('--mqtt', str('mqtt')!, ['mqtt:', 'mqtts:', 'tcp:']),
        transport: str('transport') === undefined ? undefined : parseChoice('--transport', str('transport')!, ['mqtt', 'http'] as const),
        truthPath: str('truth'),
        mode: rate === undefined ? 'backfill' : 'live',
        rate: rate === undefined ? 1 : parsePositive('--rate', rate),
        durationMs: str('duration') === undefined ? undefined : parseDuration('--duration', str('duration')!),
        catchUpMs: parseDuration('--catch-up', str('catchUp')!),
        concurrency: parseCount('--concurrency', str('concurrency')!),
        inflight: parseCount('--inflight', str('inflight')!),
        batchRecords: parseCount('--batch', str('batch')!),
        registry: opts.registry !== false,
        timezone: config.general.timezone,
        now: str('now') === undefined ? undefined : parseInstant('--now', str('now')!),
        progress: opts.progress !== false,
        log,
        signal: controller.signal,
      });
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    });

  program
    .command('ingest')
    .description('run the ingest role alone: MQTT (embedded broker, or MW_MQTT_MODE=external with a shared subscription), spool, HTTP ingest API')
    .addHelpText('after', SETTINGS_HELP)
    .action(async () => {
      const config = loadConfig();
      const log = createLogger(config.general.logLevel);
      const stop = await startSystem(config, log, { role: 'ingest' });
      onShutdownSignals(stop, log);
    });

  program
    .command('credentials')
    .argument('<kind>', 'meter or handheld')
    .argument('<id>', 'the meter or device id')
    .description('print the MQTT user name and password of a device (HMAC of its name under MW_INGEST_SECRET)')
    .action((kind: string, id: string) => {
      const config = loadConfig();
      if (!config.ingest.secret) throw new MeterwatchError(ErrorCodes.CONFIG_INVALID, 'MW_INGEST_SECRET is not set', { hint: 'set the same secret the broker uses' });
      if ((kind !== 'meter' && kind !== 'handheld') || !isValidId(id)) {
        throw new MeterwatchError(ErrorCodes.VALIDATION, `expected "meter <id>" or "handheld <id>" with an id of 1–64 letters, digits, "-", "_" or ".", got "${kind} ${id}"`);
      }
      const identity = { kind, id } as const;
      process.stdout.write(`username: ${deviceUsername(identity)}\npassword: ${devicePassword(config.ingest.secret, identity)}\n`);
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
