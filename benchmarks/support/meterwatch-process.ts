/**
 * Starts meterwatch as a user would, in its own process, against a QuestDB the benchmark runs:
 * `meterwatch ingest` (ingest role alone), `meterwatch start --no-simulate` (everything,
 * with the stream rules on every accepted batch), or the same with MW_ANALYTICS_STREAM=false
 * (everything but the stream rules and their registry copy: what the stream rules cost). The batch schedule is off
 * (MW_ANALYTICS_SCHEDULE=0) so that a batch pass never lands inside a measurement.
 * Spawned as `node --import tsx main.ts` so the pid is meterwatch itself (architecture.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../storage/questdb/ports.ts';
import { peakRssMiB } from './proc-stats.ts';

export type Mode = 'ingest' | 'full' | 'no-stream';

export interface MeterwatchProcess {
  mode: Mode;
  pid: number;
  mqttPort: number;
  httpUrl: string;
  metrics(): Promise<string>;
  /** Stops it and returns its peak RSS (MiB). */
  stop(): Promise<number | undefined>;
}

export async function startMeterwatch(mode: Mode, questdb: { httpUrl: string; pgUrl: string }, extraNodeArgs: string[] = []): Promise<MeterwatchProcess> {
  const root = resolve(import.meta.dirname, '../..');
  const dataDir = mkdtempSync(join(tmpdir(), `mw-bench-${mode}-`));
  const mqttPort = await freePort();
  const httpPort = await freePort();
  const args = mode === 'ingest' ? ['ingest'] : ['start', '--no-simulate'];
  const child = spawn(process.execPath, [...extraNodeArgs, '--import', 'tsx', join(root, 'main.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      MW_QUESTDB_URL: questdb.httpUrl,
      MW_QUESTDB_PG_URL: questdb.pgUrl,
      MW_DATA_DIR: dataDir,
      MW_MQTT_HOST: '127.0.0.1',
      MW_MQTT_PORT: String(mqttPort),
      MW_HTTP_HOST: '127.0.0.1',
      MW_HTTP_PORT: String(httpPort),
      MW_SIMULATE: 'false',
      MW_ANALYTICS_SCHEDULE: '0',
      MW_ANALYTICS_STREAM: mode === 'no-stream' ? 'false' : 'true',
      MW_LOG_LEVEL: 'warn',
    },
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const kill = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (exited) throw new Error(`meterwatch ${args.join(' ')} exited during start`);
    if (await fetch(`${httpUrl}/api/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      kill();
      throw new Error(`meterwatch ${args.join(' ')} did not become healthy in 300 s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    mode,
    pid: child.pid!,
    mqttPort,
    httpUrl,
    metrics: async () => (await fetch(`${httpUrl}/metrics`)).text(),
    async stop() {
      const peak = peakRssMiB(child.pid);
      if (!exited) {
        child.kill('SIGTERM');
        const t = Date.now();
        while (!exited && Date.now() - t < 60_000) await new Promise((r) => setTimeout(r, 100));
        kill();
      }
      process.off('exit', kill);
      rmSync(dataDir, { recursive: true, force: true });
      return peak;
    },
  };
}
