/**
 * Ingest benchmark (issue 3, acceptance): sustained records/s from MQTT QoS 1 publish to
 * visible in QuestDB, for 10k simulated meters, with single-reading and 24-reading
 * messages, next to the raw ceilings measured in the same run: the broker alone (aedes, no
 * storage) and ILP writes alone (pre-serialised text straight to QuestDB).
 *
 *   npm run bench:ingest            # 3 repetitions, medians
 *   BENCH_REPEAT=1 npm run bench:ingest
 *
 * The system under test runs as `meterwatch ingest` in its own process against a QuestDB
 * started here on free ports; nothing is left running afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger } from '../core/logger.ts';
import type { Reading } from '../core/types.ts';
import { readingLine } from '../storage/ilp/rows.ts';
import { ensureQuestdbJar } from '../storage/questdb/jar.ts';
import { ManagedQuestdb } from '../storage/questdb/managed-server.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { migrate } from '../storage/migrations/index.ts';
import { SqlClient, sqlTimestamp } from '../storage/sql.ts';
import { runLoad, type LoadSpec } from './support/mqtt-load.ts';

const METERS = 10_000;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const SINGLE_MESSAGES = Number(process.env.BENCH_SINGLE_MESSAGES ?? 60_000);
const DAY_MESSAGES = Number(process.env.BENCH_DAY_MESSAGES ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 500);
const DAY = 86_400_000;

let baseCounter = 0;
/** Every measurement writes its own range of event time, far in the past, so counting it is cheap. */
function nextBase(): number {
  return Date.UTC(2000, 0, 1) + baseCounter++ * 400 * DAY;
}

async function countRange(sql: SqlClient, from: number, to: number): Promise<number> {
  const rows = await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE ts >= ${sqlTimestamp(from)} AND ts < ${sqlTimestamp(to)}`);
  return Number(rows[0]!.n);
}

async function waitVisible(sql: SqlClient, from: number, expected: number, timeoutMs = Number(process.env.BENCH_VISIBLE_TIMEOUT ?? 300_000)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await countRange(sql, from, from + 400 * DAY)) < expected) {
    if (Date.now() > deadline) {
      const wal = await sql.query(`SELECT name, suspended, writerTxn, sequencerTxn FROM wal_tables() WHERE name = 'readings'`);
      throw new Error(`${await countRange(sql, from, from + 400 * DAY)} of ${expected} rows visible after ${timeoutMs} ms; WAL: ${JSON.stringify(wal)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `stdout: 'pipe'` only for a child whose output is read to the end; an unread pipe blocks a logging child. */
function startChild(args: string[], env: NodeJS.ProcessEnv, stdout: 'pipe' | 'inherit' = 'inherit'): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...args], { env, stdio: ['ignore', stdout, 'inherit'] });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise<void>((r) => child.once('exit', () => r()));
}

async function brokerAlone(spec: Omit<LoadSpec, 'url' | 'baseTs' | 'prefix'>): Promise<number> {
  const child = startChild([resolve('benchmarks/support/broker-only.ts')], process.env, 'pipe');
  const port = await new Promise<number>((r) => child.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  try {
    const { seconds } = await runLoad({ ...spec, url: `mqtt://127.0.0.1:${port}`, prefix: `b${baseCounter}`, baseTs: nextBase() });
    return (spec.messages * spec.readingsPerMessage) / seconds;
  } finally {
    await stopChild(child);
  }
}

async function ilpAlone(httpUrl: string, sql: SqlClient, rows: number): Promise<number> {
  const base = nextBase();
  const now = Date.now();
  const bodies: string[] = [];
  for (let start = 0; start < rows; start += 20_000) {
    let text = '';
    for (let i = start; i < Math.min(rows, start + 20_000); i++) {
      const r: Reading = { meterId: `ilp-${i % METERS}`, ts: base + Math.floor(i / METERS) * 3_600_000, reading: 1000 + i * 0.37, flow: 0.42, battery: 3.6, source: 'mqtt', receivedAt: now };
      text += readingLine(r);
    }
    bodies.push(text);
  }
  const started = performance.now();
  for (const body of bodies) {
    const res = await fetch(`${httpUrl}/write`, { method: 'POST', body });
    if (!res.ok) throw new Error(`ILP write failed: HTTP ${res.status} ${await res.text()}`);
  }
  await waitVisible(sql, base, rows);
  return rows / ((performance.now() - started) / 1000);
}

async function endToEnd(mqttUrl: string, sql: SqlClient, readingsPerMessage: 1 | 24, messages: number): Promise<number> {
  const baseTs = nextBase();
  const started = performance.now();
  await runLoad({ url: mqttUrl, prefix: `e${baseCounter}`, meters: METERS, messages, readingsPerMessage, baseTs, connections: CONNECTIONS, window: WINDOW });
  await waitVisible(sql, baseTs, messages * readingsPerMessage);
  return (messages * readingsPerMessage) / ((performance.now() - started) / 1000);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const log = silentLogger();
  const root = mkdtempSync(join(tmpdir(), 'mw-bench-ingest-'));
  const jar = await ensureQuestdbJar({ version: '9.3.4', cacheDir: resolve(process.env.MW_CACHE_DIR ?? '.meterwatch/cache'), mavenRepo: 'https://repo1.maven.org/maven2', useMaven: true, log });
  const questdb = new ManagedQuestdb({ jar, java: 'java', root: join(root, 'questdb'), host: '127.0.0.1', httpPort: await freePort(), pgPort: await freePort(), healthPort: await freePort(), heap: '1g', startTimeoutMs: 120_000, log });
  const endpoints = await questdb.start();
  const sql = new SqlClient(endpoints.pgUrl, log);
  let ingest: ChildProcess | undefined;
  try {
    await migrate(sql, log);
    const mqttPort = await freePort();
    const httpPort = await freePort();
    // BENCH_INGEST_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the ingest process.
    ingest = startChild([...(process.env.BENCH_INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean), 'main.ts', 'ingest'], {
      ...process.env,
      MW_QUESTDB_URL: endpoints.httpUrl,
      MW_QUESTDB_PG_URL: endpoints.pgUrl,
      MW_DATA_DIR: join(root, 'data'),
      MW_MQTT_HOST: '127.0.0.1',
      MW_MQTT_PORT: String(mqttPort),
      MW_HTTP_HOST: '127.0.0.1',
      MW_HTTP_PORT: String(httpPort),
      MW_LOG_LEVEL: 'warn',
    });
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error('meterwatch ingest did not start');
      if (await fetch(`http://127.0.0.1:${httpPort}/api/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    // Warm-up (JIT, QuestDB symbol tables for 10k meters), not measured.
    await endToEnd(mqttUrl, sql, 1, METERS);

    const results = { brokerSingle: [] as number[], brokerDay: [] as number[], ilp: [] as number[], e2eSingle: [] as number[], e2eDay: [] as number[] };
    for (let r = 0; r < REPEAT; r++) {
      results.e2eSingle.push(await endToEnd(mqttUrl, sql, 1, SINGLE_MESSAGES));
      results.e2eDay.push(await endToEnd(mqttUrl, sql, 24, DAY_MESSAGES));
      results.brokerSingle.push(await brokerAlone({ meters: METERS, messages: SINGLE_MESSAGES, readingsPerMessage: 1, connections: CONNECTIONS, window: WINDOW }));
      results.brokerDay.push(await brokerAlone({ meters: METERS, messages: DAY_MESSAGES, readingsPerMessage: 24, connections: CONNECTIONS, window: WINDOW }));
      results.ilp.push(await ilpAlone(endpoints.httpUrl, sql, 240_000));
      process.stderr.write(`run ${r + 1}/${REPEAT}: ${JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(v[r]!)])))}\n`);
    }
    const m = {
      e2eSingle: median(results.e2eSingle),
      e2eDay: median(results.e2eDay),
      brokerSingle: median(results.brokerSingle),
      brokerDay: median(results.brokerDay),
      ilp: median(results.ilp),
    };
    const rows = [
      ['single reading per message', m.e2eSingle, m.brokerSingle, m.ilp],
      ['24 readings per message', m.e2eDay, m.brokerDay, m.ilp],
    ] as const;
    const out = [
      `ingest end-to-end, ${METERS} meters, ${CONNECTIONS} connections x ${WINDOW} in flight, QoS 1, medians of ${REPEAT} (records/s)`,
      '| messages | end-to-end | broker alone | ILP alone | e2e / broker | e2e / ILP |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows.map(([name, e2e, broker, ilp]) => `| ${name} | ${Math.round(e2e)} | ${Math.round(broker)} | ${Math.round(ilp)} | ${(e2e / broker).toFixed(2)} | ${(e2e / ilp).toFixed(2)} |`),
    ];
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const figure = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const flushes = figure('meterwatch_ingest_flush_seconds_count');
    out.push(
      '',
      `ingest process over the whole run: ${flushes} QuestDB flushes, mean ${((figure('meterwatch_ingest_flush_seconds_sum') / flushes) * 1000).toFixed(1)} ms, ` +
        `${Math.round(figure('meterwatch_ingest_records_accepted_total') / flushes)} records per flush, ${figure('meterwatch_ingest_spool_appends_total')} spool appends`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    if (ingest) await stopChild(ingest);
    await sql.close();
    await questdb.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
