import { z } from 'zod';
import { setting, optionalSetting, port, positiveInt, bool, duration, byteSize, type Section } from './setting.ts';

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

/** Ingest tier (issue 3; interface.md §1): durability, limits, security. */
export const ingest = {
  auth: setting(
    'MW_INGEST_AUTH',
    z.enum(['auto', 'none', 'hmac']),
    'auto',
    'device and API authentication: none, hmac (password = HMAC of the device under MW_INGEST_SECRET), or auto (none only when MQTT and HTTP bind to loopback, else hmac)',
  ),
  secret: optionalSetting('MW_INGEST_SECRET', z.string().min(16), 'server secret for device credentials (at least 16 characters; needed unless auth is none)'),
  apiToken: optionalSetting('MW_API_TOKEN', z.string().min(16), 'bearer token for the HTTP ingest endpoints (needed unless auth is none)'),
  enforceRegistry: setting('MW_INGEST_ENFORCE_REGISTRY', bool, false, 'reject readings of meters that are not in the registry'),
  maxPayloadBytes: setting('MW_INGEST_MAX_PAYLOAD', byteSize, 1024 * 1024, 'largest MQTT message or HTTP body accepted (e.g. 1MiB)'),
  futureTolerance: setting('MW_INGEST_FUTURE_TOLERANCE', duration, 86_400_000, 'timestamps later than now plus this are rejected'),
  groupCommit: setting('MW_INGEST_GROUP_COMMIT', duration, 5, 'how long records wait to be written together in one QuestDB flush or one spool fsync'),
  batchRows: setting('MW_INGEST_BATCH_ROWS', positiveInt, 20_000, 'most rows written in one flush'),
  concurrentFlushes: setting('MW_INGEST_CONCURRENT_FLUSHES', positiveInt, 1, 'group commits in flight to QuestDB at once (2 measured no faster on 2 cores)'),
  maxPendingRows: setting('MW_INGEST_MAX_PENDING_ROWS', positiveInt, 200_000, 'rows held in memory awaiting a flush; beyond this new messages are not acknowledged'),
  flushTimeout: setting('MW_INGEST_FLUSH_TIMEOUT', duration, 5_000, 'watchdog on one QuestDB flush; after it the rows go to the spool'),
  spoolDir: optionalSetting('MW_INGEST_SPOOL_DIR', z.string().min(1), 'spool directory [<MW_DATA_DIR>/spool]'),
  spoolMaxBytes: setting('MW_INGEST_SPOOL_MAX', byteSize, 1024 ** 3, 'spool size limit; when full, messages are no longer acknowledged (devices retry)'),
  replayInterval: setting('MW_INGEST_REPLAY_INTERVAL', duration, 1_000, 'how often the spool tries to replay into QuestDB'),
  shareGroup: setting('MW_MQTT_SHARE_GROUP', z.string().regex(/^[A-Za-z0-9_-]+$/), 'meterwatch', 'shared-subscription group on an external broker ($share/<group>/...)'),
  clientId: optionalSetting('MW_MQTT_CLIENT_ID', z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/), 'client id prefix of this ingest process on an external broker; stable across restarts [meterwatch-<host name>]'),
  lanes: setting('MW_MQTT_LANES', positiveInt, 4, 'connections per ingest process to an external broker (each acknowledges in order)'),
  mqttUsername: optionalSetting('MW_MQTT_USERNAME', z.string().min(1), 'user name for the external broker'),
  mqttPassword: optionalSetting('MW_MQTT_PASSWORD', z.string().min(1), 'password for the external broker'),
  connectionRate: setting('MW_MQTT_CONNECTION_RATE', positiveInt, 500, 'new MQTT connections accepted per second (embedded broker); more are closed'),
} satisfies Section;

export const sections = { general, questdb, http, mqtt, ingest } as const;
