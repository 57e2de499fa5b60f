/**
 * Ingest at fleet scale (issue 5 item 3a) and the cost of the stream rules (issue 6 item 6).
 * For each fleet size (10k, 100k, 1M meters) it measures, in one run against one QuestDB:
 * - end to end, MQTT QoS 1 → durable → visible in QuestDB, with `meterwatch ingest` (ingest
 *   role alone), with `meterwatch start --no-simulate` (stream rules on every accepted
 *   batch), and with the same but MW_ANALYTICS_STREAM=false (so full ÷ no-stream is what the
 *   stream rules cost), for single-reading and 24-reading messages, the same load for all;
 * - the raw ceilings: the broker alone (same publishers) and an ILP sender alone.
 * Each measurement runs ≥ --min-seconds and sends at least one reading per meter. The load
 * comes from --processes publisher processes × --connections raw MQTT connections ×
 * --window messages in flight (benchmarks/support/publisher-process.ts); every figure comes
 * with the CPU (in cores) of the publishers, meterwatch and QuestDB.
 *
 *   npm run bench:ingest                                  # 10k, 100k, 1M meters
 *   npm run bench:ingest -- --meters 10000 --min-seconds 5
 *   npm run bench:ingest -- --quick                       # tiny, to check it works
 *
 * Prints the result as JSON on stdout (benchmarks/run.ts records it) and a table on stderr;
 * --out FILE also writes the JSON there.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../core/logger.ts';
import { ensureQuestdbJar } from '../storage/questdb/jar.ts';
import { ManagedQuestdb } from '../storage/questdb/managed-server.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { migrate } from '../storage/migrations/index.ts';
import { SqlClient } from '../storage/sql.ts';
import { brokerAlone, endToEnd, ilpAlone, nextBase, type MeasureContext, type Measurement } from './support/ingest-measure.ts';
import { registerFleet } from './support/register-fleet.ts';
import { startMeterwatch, type Mode } from './support/meterwatch-process.ts';
import { loadAverage, peakRssMiB } from './support/proc-stats.ts';
import { ingestTable } from './support/ingest-table.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    meters: { type: 'string' },
    'min-seconds': { type: 'string' },
    repeat: { type: 'string', default: '1' },
    processes: { type: 'string', default: '3' },
    connections: { type: 'string', default: '40' },
    window: { type: 'string', default: '100' },
    'day-window': { type: 'string', default: '25' },
    heap: { type: 'string', default: '2g' },
    out: { type: 'string' },
  },
});
const positive = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
  return n;
};
const sizes = (values.meters ?? (values.quick ? '2000' : '10000,100000,1000000')).split(',').map((v) => positive('meters', v.trim()));
const minSeconds = positive('min-seconds', values['min-seconds'] ?? (values.quick ? '2' : '20'));
const repeat = positive('repeat', values.repeat!);
const processes = positive('processes', values.processes!);
const connections = positive('connections', values.connections!);
const window = positive('window', values.window!);
// 24-reading messages: fewer in flight, so both shapes hold a similar number of records
// waiting (40 × 3 × 25 × 24 = 72k, under MW_INGEST_MAX_PENDING_ROWS).
const dayWindow = positive('day-window', values['day-window']!);

interface SizeResult {
  meters: number;
  registerSeconds: number;
  measurements: Measurement[];
  peakRssMiB: Record<Mode, number | undefined>;
}

async function main(): Promise<void> {
  const log = silentLogger();
  const root = mkdtempSync(join(tmpdir(), 'mw-bench-ingest-'));
  const jar = await ensureQuestdbJar({ version: '9.3.4', cacheDir: resolve(process.env.MW_CACHE_DIR ?? '.meterwatch/cache'), mavenRepo: 'https://repo1.maven.org/maven2', useMaven: true, log });
  const questdb = new ManagedQuestdb({ jar, java: 'java', root: join(root, 'questdb'), host: '127.0.0.1', httpPort: await freePort(), pgPort: await freePort(), healthPort: await freePort(), heap: values.heap!, startTimeoutMs: 120_000, log });
  const endpoints = await questdb.start();
  const sql = new SqlClient(endpoints.pgUrl, log);
  const say = (s: string) => process.stderr.write(`ingest-scale ${new Date().toISOString().slice(11, 19)} ${s}\n`);
  const started = new Date().toISOString();
  const results: SizeResult[] = [];
  try {
    await migrate(sql, log);
    let registered = 0;
    for (const meters of [...sizes].sort((a, b) => a - b)) {
      const ctx: MeasureContext = { sql, questdb: { ...endpoints, javaPid: questdb.javaPid }, meters, minSeconds, processes, connections, window, dayWindow, visibleTimeoutMs: 600_000 };
      // The fleet is registered (the stream rules look every meter up) and has one reading
      // per meter already, so no measurement pays for creating a million symbols.
      say(`registering meters ${registered}..${meters}`);
      const t0 = performance.now();
      await registerFleet(endpoints.httpUrl, sql, registered, meters, nextBase());
      registered = Math.max(registered, meters);
      const size: SizeResult = { meters, registerSeconds: +((performance.now() - t0) / 1000).toFixed(1), measurements: [], peakRssMiB: { ingest: undefined, full: undefined, 'no-stream': undefined } };
      results.push(size);
      for (let r = 0; r < repeat; r++) {
        // ABC CBA: alternate the order so drift on the shared machine does not favour one mode.
        for (const mode of (r % 2 === 0 ? ['ingest', 'no-stream', 'full'] : ['full', 'no-stream', 'ingest']) as Mode[]) {
          say(`${meters} meters: starting meterwatch (${mode})`);
          const mw = await startMeterwatch(mode, endpoints, (process.env.BENCH_INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean));
          try {
            await endToEnd(ctx, mw, 1, 'warm-up', Math.min(3, minSeconds)); // JIT, connections; not reported
            for (const shape of [1, 24] as const) {
              const m = await endToEnd(ctx, mw, shape);
              say(`${meters} meters ${m.what} ${shape}/msg: ${m.recordsPerSecond} records/s over ${m.seconds} s (cores ${JSON.stringify(m.cores)})`);
              size.measurements.push(m);
            }
          } finally {
            const peak = await mw.stop();
            size.peakRssMiB[mode] = Math.max(size.peakRssMiB[mode] ?? 0, peak ?? 0);
          }
        }
        for (const shape of [1, 24] as const) {
          const m = await brokerAlone(ctx, shape);
          say(`${meters} meters broker alone ${shape}/msg: ${m.recordsPerSecond} records/s (cores ${JSON.stringify(m.cores)})`);
          size.measurements.push(m);
        }
        const ilp = await ilpAlone(ctx);
        say(`${meters} meters ILP alone: ${ilp.recordsPerSecond} records/s over ${ilp.seconds} s (cores ${JSON.stringify(ilp.cores)})`);
        size.measurements.push(ilp);
      }
    }
    const result = {
      started,
      finished: new Date().toISOString(),
      settings: { sizes, minSeconds, repeat, processes, connections, window, dayWindow, questdbHeap: values.heap, groupCommit: process.env.MW_INGEST_GROUP_COMMIT ?? 'default' },
      questdbPeakRssMiB: peakRssMiB(questdb.javaPid),
      loadAverageAtEnd: loadAverage(),
      sizes: results,
    };
    process.stderr.write(`${ingestTable(result.sizes).join('\n')}\n`);
    const json = `${JSON.stringify(result, null, 2)}\n`;
    if (values.out) {
      mkdirSync(dirname(resolve(values.out)), { recursive: true });
      writeFileSync(resolve(values.out), json);
    }
    process.stdout.write(json);
  } finally {
    await sql.close();
    await questdb.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
