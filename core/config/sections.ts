import { z } from 'zod';
import { setting, optionalSetting, port, positiveInt, bool, duration, type Section } from './setting.ts';

/**
 * Every setting of meterwatch, grouped by the part that uses it. Add a section here (or a
 * setting to one) and it appears in the typed config, in `--help` and in the README list.
 */
export const general = {
  timezone: setting('MW_TIMEZONE', z.string().min(1), 'Asia/Shanghai', 'company time zone for days, months and years (IANA name)'),
  logLevel: setting(
    'MW_LOG_LEVEL',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    'info',
    'log level: fatal, error, warn, info, debug, trace or silent',
  ),
  dataDir: setting('MW_DATA_DIR', z.string().min(1), '.meterwatch', 'directory for QuestDB data, the ingest spool and other state'),
  cacheDir: setting('MW_CACHE_DIR', z.string().min(1), '.meterwatch/cache', 'directory where the QuestDB server jar is cached'),
} satisfies Section;

export const questdb = {
  url: optionalSetting(
    'MW_QUESTDB_URL',
    z.url(),
    'use an existing QuestDB at this HTTP URL (e.g. http://127.0.0.1:9000) instead of starting a managed one; nothing is fetched or started',
  ),
  pgUrl: optionalSetting(
    'MW_QUESTDB_PG_URL',
    z.url(),
    'PG-wire URL of that QuestDB [postgres://admin:quest@<host of MW_QUESTDB_URL>:8812/qdb]',
  ),
  version: setting('MW_QUESTDB_VERSION', z.string().regex(/^\d+\.\d+\.\d+$/), '9.3.4', 'QuestDB server version fetched from Maven Central'),
  host: setting('MW_QUESTDB_HOST', z.string().min(1), '127.0.0.1', 'address the managed QuestDB binds to'),
  httpPort: setting('MW_QUESTDB_HTTP_PORT', port, 9000, 'managed QuestDB HTTP port (REST, ILP over HTTP, web console)'),
  pgPort: setting('MW_QUESTDB_PG_PORT', port, 8812, 'managed QuestDB PostgreSQL wire port'),
  healthPort: setting('MW_QUESTDB_HEALTH_PORT', port, 9003, 'managed QuestDB health/metrics port'),
  heap: setting('MW_QUESTDB_HEAP', z.string().regex(/^\d+[mMgG]$/), '2g', 'maximum Java heap of the managed QuestDB (-Xmx)'),
  java: setting('MW_JAVA', z.string().min(1), 'java', 'Java 17+ executable that runs the managed QuestDB'),
  mavenRepo: setting(
    'MW_MAVEN_REPO',
    z.url(),
    'https://repo1.maven.org/maven2',
    'Maven repository used for the direct download when Maven (mvn) is not installed',
  ),
  useMaven: setting('MW_USE_MAVEN', bool, true, 'fetch the jar with mvn when it is installed (false: always download directly)'),
  startTimeout: setting('MW_QUESTDB_START_TIMEOUT', duration, 60_000, 'how long to wait for the managed QuestDB to become ready'),
} satisfies Section;

export const http = {
  host: setting('MW_HTTP_HOST', z.string().min(1), '0.0.0.0', 'address of the HTTP API and dashboard'),
  port: setting('MW_HTTP_PORT', port, 8080, 'port of the HTTP API and dashboard'),
} satisfies Section;

export const mqtt = {
  mode: setting('MW_MQTT_MODE', z.enum(['embedded', 'external']), 'embedded', 'embedded: run the aedes broker; external: subscribe to MW_MQTT_URL'),
  host: setting('MW_MQTT_HOST', z.string().min(1), '0.0.0.0', 'address of the embedded MQTT broker'),
  port: setting('MW_MQTT_PORT', port, 1883, 'port of the embedded MQTT broker'),
  url: optionalSetting('MW_MQTT_URL', z.string().regex(/^mqtts?:\/\//), 'external broker URL, e.g. mqtt://127.0.0.1:1883 (external mode)'),
  maxPacketBytes: setting('MW_MQTT_MAX_PACKET', positiveInt, 1024 * 1024, 'largest MQTT packet accepted, bytes'),
} satisfies Section;

/** The simulated fleet that `meterwatch start` runs so a new user sees the system alive (issue 5). */
export const simulator = {
  enabled: setting('MW_SIMULATE', bool, true, '`meterwatch start` also runs a small simulated meter fleet against itself (false: off)'),
  meters: setting('MW_SIM_METERS', positiveInt, 200, 'meters in the fleet simulated by `meterwatch start`'),
  months: setting('MW_SIM_MONTHS', positiveInt, 2, 'months of history that fleet back-fills when it starts'),
  rate: setting('MW_SIM_RATE', z.coerce.number().positive(), 720, 'speed of its live part: simulated seconds per real second until it reaches the real clock'),
  catchUp: setting('MW_SIM_CATCH_UP', duration, 86_400_000, 'the last part of its history played live at MW_SIM_RATE instead of back-filled'),
  faults: setting('MW_SIM_FAULTS', z.coerce.number().min(0).max(1), 0.05, 'share of its meters with an injected fault (0–1)'),
  seed: setting('MW_SIM_SEED', z.coerce.number().int(), 42, 'seed of its fleet (same seed, same fleet)'),
} satisfies Section;

export const sections = { general, questdb, http, mqtt, simulator } as const;
