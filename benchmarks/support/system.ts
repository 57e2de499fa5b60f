import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { requestText } from '../../storage/http-text.ts';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A whole meterwatch (`meterwatch start`) on free ports and a scratch data directory, driven from outside. */
export interface RunningSystem {
  url: string;
  mqttUrl: string;
  dataDir: string;
  /** the meterwatch process (for CPU and memory readings) */
  pid: number | undefined;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Extra node flags for the system under test, e.g. BENCH_SUT_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
function nodeArgs(): string[] {
  // as `npm start` runs it (package.json): a larger young generation for the batch pass
  return ['--max-semi-space-size=64', ...(process.env.BENCH_SUT_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0)];
}

/**
 * `keepDataDir`: use (and keep after stop) this directory instead of a scratch one, so a long
 * back-fill can be analysed again after a rule change without simulating the fleet again.
 */
export async function startSystem(env: Record<string, string> = {}, root = process.cwd(), keepDataDir?: string): Promise<RunningSystem> {
  if (keepDataDir) mkdirSync(keepDataDir, { recursive: true });
  const dataDir = keepDataDir ?? mkdtempSync(join(tmpdir(), 'mw-bench-'));
  const http = await freePort();
  const mqtt = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs(), '--import', 'tsx', join(root, 'main.ts'), 'start'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      MW_DATA_DIR: dataDir,
      MW_CACHE_DIR: process.env.MW_CACHE_DIR ?? resolve(root, '.meterwatch/cache'),
      MW_HTTP_HOST: '127.0.0.1',
      MW_HTTP_PORT: String(http),
      MW_MQTT_HOST: '127.0.0.1',
      MW_MQTT_PORT: String(mqtt),
      MW_QUESTDB_HTTP_PORT: String(await freePort()),
      MW_QUESTDB_PG_PORT: String(await freePort()),
      MW_QUESTDB_HEALTH_PORT: String(await freePort()),
      MW_SIMULATE: 'false',
      MW_ANALYTICS_SCHEDULE: '0',
      MW_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  // The system must not outlive the benchmark, even when the benchmark is interrupted.
  const killChild = () => {
    if (!exited) child.kill('SIGINT');
  };
  process.once('exit', killChild);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killChild();
      process.exit(130);
    });
  }
  const url = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited) throw new Error('meterwatch exited during start');
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('meterwatch did not become healthy in 180 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    mqttUrl: `mqtt://127.0.0.1:${mqtt}`,
    dataDir,
    pid: child.pid,
    async stop() {
      if (!exited) {
        child.kill('SIGINT');
        const t = Date.now();
        while (!exited && Date.now() - t < 60_000) await new Promise((r) => setTimeout(r, 200));
        if (!exited) child.kill('SIGKILL');
      }
      if (!keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POST JSON and fail loudly on anything but 2xx (no time limit: a slow pass on a busy machine is a result). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await requestText(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  if (res.status < 200 || res.status >= 300) throw new Error(`POST ${url} answered ${res.status}: ${res.text.slice(0, 500)}`);
  return res.text ? (JSON.parse(res.text) as unknown) : undefined;
}
