import { z } from 'zod';
import { setting, optionalSetting, durationSetting, port, positiveInt, bool, duration, byteSize, type Section } from './setting.ts';

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
  startTimeout: durationSetting('MW_QUESTDB_START_TIMEOUT', '60s', 'how long to wait for the managed QuestDB to become ready'),
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

export const registry = {
  knownRefresh: durationSetting(
    'MW_REGISTRY_KNOWN_REFRESH',
    '10s',
    'how long an "unknown meter" answer of the registry lookup is trusted before the meter list is reloaded',
  ),
  maxReadings: setting('MW_READINGS_EXPORT_MAX', positiveInt, 1_000_000, 'most readings one GET /api/meters/{id}/readings returns'),
} satisfies Section;


/** Thresholds and windows of the anomaly rules (domain.md §4, interface.md §3 defaults). */
export const analytics = {
  largeFlow: setting('MW_RULE_LARGE_FLOW', z.coerce.number().positive(), 40, 'large_flow: flow in m³/h at or above which a customer enters the ≥40 m³/h class'),
  residentialHigh: setting('MW_RULE_RESIDENTIAL_HIGH', z.coerce.number().positive(), 30, 'residential_high: m³ in a calendar month'),
  residentialMonthlyVisit: setting('MW_RULE_RESIDENTIAL_VISIT', z.coerce.number().positive(), 100, 'residential usage (m³/month) that puts a customer in the monthly-visit class'),
  yoyDown: setting('MW_RULE_YOY_DOWN', z.coerce.number().positive(), 0.05, 'yoy_deviation: fraction below the same month last year that fires'),
  yoyUp: setting('MW_RULE_YOY_UP', z.coerce.number().positive(), 0.1, 'yoy_deviation: fraction above the same month last year that fires'),
  bulkDrop: setting('MW_RULE_BULK_DROP', z.coerce.number().positive().max(1), 0.3, 'bulk_drop: fraction below the trend-and-season expectation that fires'),
  bulkLossShare: setting('MW_RULE_BULK_LOSS_SHARE', z.coerce.number().positive().max(1), 0.08, 'bulk_balance: loss share (bulk − households) / bulk that fires'),
  deadSmart: durationSetting('MW_RULE_DEAD_SMART', '3d', 'dead_meter: silence after which a smart meter is dead'),
  deadIc: durationSetting('MW_RULE_DEAD_IC', '7d', 'dead_meter: silence after which an IC-card meter is dead'),
  deadMechanical: durationSetting('MW_RULE_DEAD_MECHANICAL', '40d', 'dead_meter: time without a read after which a mechanical meter is dead'),
  deadNoUsage: durationSetting('MW_RULE_DEAD_NO_USAGE', '60d', 'dead_meter: how long a reporting meter may show no usage where its history expects use'),
  stuckWindow: durationSetting('MW_RULE_STUCK_WINDOW', '20d', 'stuck_meter: how long a register must stay flat while use is expected'),
  stuckMinExpected: setting('MW_RULE_STUCK_MIN_EXPECTED', z.coerce.number().positive(), 2, 'stuck_meter: m³ the customer\'s own history expects over the flat window before it fires'),
  inactiveMinUsage: setting('MW_RULE_INACTIVE_MIN_USAGE', z.coerce.number().positive(), 0.5, 'usage_while_inactive: m³ on a non-active customer that fires'),
  damageWords: setting(
    'MW_RULE_DAMAGE_WORDS',
    z.string().transform((v) => v.split(',').map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0)) as unknown as z.ZodType<string[]>,
    ['damage', 'damaged', 'broken', '损坏', '坏表', '表坏', '破损'],
    'broken_meter: words in a reader\'s note that report a damaged meter (comma-separated, any case)',
    'damage,damaged,broken,损坏,坏表,表坏,破损',
  ),
  blacklistFactor: setting('MW_RULE_BLACKLIST_FACTOR', z.coerce.number().positive().max(1), 0.8, 'blacklisted customers: thresholds are multiplied by this (stricter) and severity raised'),
  hddBase: setting(
    'MW_RULE_HDD_BASE',
    z.coerce.number().min(-20).max(30),
    18,
    'yoy_deviation weather normalisation: base temperature (°C) of heating degree days, HDD = Σ max(0, base − daily mean) over a month',
  ),
  stream: setting('MW_ANALYTICS_STREAM', bool, true, 'judge readings as they arrive (large_flow of the month in progress, broken_meter, tamper flags, reported damage), with a registry copy in memory (false: only the batch pass judges them, for its ended periods)'),
  queryTimeout: durationSetting(
    'MW_ANALYTICS_QUERY_TIMEOUT',
    '10m',
    "longest a batch pass waits on one QuestDB query (its scans of every read); QuestDB's own limit, 60 s, aborted them for a fleet of 2,500 hourly meters",
  ),
  schedule: durationSetting('MW_ANALYTICS_SCHEDULE', '1h', 'how often the batch rules run by themselves (0 = only on POST /api/analytics/run)'),
} satisfies Section;

/** HTTP API roles and tokens (issue 7 item 4). */
export const access = {
  usersFile: optionalSetting(
    'MW_USERS_FILE',
    z.string().min(1),
    'JSON file of API users [{"name","role","token"}], roles analyst, inspector, supervisor, manager, admin; unset: reads open, writes only from loopback',
  ),
} satisfies Section;

/** Abnormal-usage ledger, blacklist and reading KPIs (domain.md §3, §5; issue 7). */
export const ledger = {
  visitDue: durationSetting('MW_LEDGER_VISIT_DUE', '7d', 'default time from assignment to the site-visit due date for customers in no visit class'),
  photoDir: optionalSetting('MW_LEDGER_PHOTO_DIR', z.string().min(1), 'where site-visit photos are kept [<MW_DATA_DIR>/ledger-photos]'),
  readDayFirst: setting('MW_KPI_READ_DAY_FIRST', z.coerce.number().int().min(1).max(31), 6, 'first day of the month of the prescribed reading window'),
  readDayLast: setting('MW_KPI_READ_DAY_LAST', z.coerce.number().int().min(1).max(31), 25, 'last day of the month of the prescribed reading window'),
  seenTarget: setting('MW_KPI_SEEN_TARGET', z.coerce.number().positive().max(1), 0.985, 'read-seen rate target (四达标)'),
  faultDays: durationSetting('MW_KPI_FAULT_LIMIT', '30d', 'a stuck, dead or broken meter left longer than this counts against the reader'),
} satisfies Section;


/** Ingest tier (issue 3; interface.md §1): durability, limits, security. */
export const ingest = {
  auth: setting(
    'MW_INGEST_AUTH',
    z.enum(['auto', 'none', 'hmac']),
    'auto',
    'device and API authentication: none, hmac (password = HMAC of the device under MW_INGEST_SECRET), or auto (none only when MQTT and HTTP bind to loopback, else hmac); npm start sets none for the single-machine trial',
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

/** The visit schedule of the visit classes (domain.md §4; issue 6 item 2, GET /api/visits/due). */
export const visits = {
  largeFlowMonths: setting('MW_VISIT_LARGE_FLOW_MONTHS', positiveInt, 12, 'months a customer stays in the ≥40 m³/h class (twice-monthly visits) after its last large_flow month'),
  monthlyMonths: setting('MW_VISIT_MONTHLY_MONTHS', positiveInt, 12, 'months a residential customer stays in the monthly-visit class after its last month at or above MW_RULE_RESIDENTIAL_VISIT'),
} satisfies Section;

export const sections = { general, questdb, http, mqtt, ingest, registry, analytics, access, ledger, simulator, visits } as const;
