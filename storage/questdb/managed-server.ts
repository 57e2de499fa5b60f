import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { localEndpoints, waitForSql, type QuestdbEndpoints } from './endpoints.ts';
import { readTail } from './jar.ts';
import { isPortFree } from './ports.ts';
import { renderServerConf } from './server-conf.ts';
import { isAlive, waitForExit } from './process.ts';

export interface ManagedServerOptions {
  jar: string;
  java: string;
  /** QuestDB root directory (conf/, db/, log/ live under it). */
  root: string;
  host: string;
  httpPort: number;
  pgPort: number;
  healthPort: number;
  heap: string;
  startTimeoutMs: number;
  log: Logger;
}

const GUARD = join(dirname(fileURLToPath(import.meta.url)), 'guard.sh');

/**
 * A QuestDB server run as a child process of meterwatch: started on the system Java with
 * its data under `root`, checked for readiness, stopped cleanly, and never left behind
 * (the guard script stops it when meterwatch dies).
 */
export class ManagedQuestdb {
  private guard: ChildProcess | undefined;
  private exited = true;
  readonly root: string;
  readonly logFile: string;
  readonly pidFile: string;

  constructor(private readonly opts: ManagedServerOptions) {
    this.root = resolve(opts.root);
    this.logFile = join(this.root, 'log', 'questdb.log');
    this.pidFile = join(this.root, 'questdb.pid');
  }

  get endpoints(): QuestdbEndpoints {
    return localEndpoints(this.opts.host, this.opts.httpPort, this.opts.pgPort);
  }

  /** The Java process id while running (from the guard's pid file). */
  get javaPid(): number | undefined {
    return readPid(this.pidFile);
  }

  get running(): boolean {
    return !this.exited;
  }

  async start(): Promise<QuestdbEndpoints> {
    const { log } = this.opts;
    await this.stopLeftover();
    await this.checkPorts();
    prepareRoot(this.root, this.opts);
    const logFd = openSync(this.logFile, 'a');
    const args = [GUARD, this.pidFile, this.opts.java, ...javaArgs(this.opts.jar, this.root, this.opts.heap)];
    this.guard = spawn('sh', args, { stdio: ['pipe', logFd, logFd] });
    closeSync(logFd);
    this.exited = false;
    this.guard.once('exit', (code, signal) => {
      this.exited = true;
      log.info({ code, signal }, 'QuestDB process exited');
    });
    log.info({ root: this.root, http: this.opts.httpPort, pg: this.opts.pgPort }, 'starting QuestDB');
    try {
      await waitForSql(this.endpoints.httpUrl, this.opts.startTimeoutMs, () => !this.exited);
    } catch (err) {
      await this.stop();
      throw new MeterwatchError(ErrorCodes.QUESTDB_START_FAILED, `QuestDB did not start: ${(err as Error).message}\n--- last lines of ${this.logFile} ---\n${readTail(this.logFile, 30)}`, {
        hint: 'read the log above; common causes: not enough memory for MW_QUESTDB_HEAP, a damaged data directory (MW_DATA_DIR), another QuestDB on the same data',
        cause: err,
      });
    }
    log.info({ pid: this.javaPid }, 'QuestDB ready');
    return this.endpoints;
  }

  /** Stops QuestDB: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 25_000): Promise<void> {
    const guard = this.guard;
    const javaPid = this.javaPid;
    if (guard && !this.exited) {
      guard.kill('SIGTERM');
      const done = await waitForExit(() => !this.exited, graceMs);
      if (!done) guard.kill('SIGKILL');
    }
    if (javaPid !== undefined && isAlive(javaPid)) {
      process.kill(javaPid, 'SIGTERM');
      if (!(await waitForExit(() => isAlive(javaPid), graceMs))) process.kill(javaPid, 'SIGKILL');
      await waitForExit(() => isAlive(javaPid), 5_000);
    }
    rmSync(this.pidFile, { force: true });
    this.guard = undefined;
  }

  /** A QuestDB left running on this data directory by a crashed run is stopped first. */
  private async stopLeftover(): Promise<void> {
    const pid = readPid(this.pidFile);
    if (pid === undefined || !isAlive(pid) || !commandLineMentions(pid, this.root)) return;
    this.opts.log.warn({ pid }, 'stopping a QuestDB left running on this data directory');
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(() => isAlive(pid), 25_000))) process.kill(pid, 'SIGKILL');
    rmSync(this.pidFile, { force: true });
  }

  private async checkPorts(): Promise<void> {
    const ports: [string, number][] = [
      ['MW_QUESTDB_HTTP_PORT', this.opts.httpPort],
      ['MW_QUESTDB_PG_PORT', this.opts.pgPort],
      ['MW_QUESTDB_HEALTH_PORT', this.opts.healthPort],
    ];
    for (const [env, port] of ports) {
      if (!(await isPortFree(port, this.opts.host))) {
        throw new MeterwatchError(ErrorCodes.PORT_IN_USE, `port ${port} on ${this.opts.host} (${env}) is already in use`, {
          hint: `stop what listens there (is another QuestDB running? try \`meterwatch questdb status\`), choose another port with ${env}, or set MW_QUESTDB_URL to use that QuestDB`,
        });
      }
    }
  }
}

export function javaArgs(jar: string, root: string, heap: string): string[] {
  return [`-Xmx${heap}`, '-XX:+UseParallelGC', '-p', jar, '-m', 'io.questdb/io.questdb.ServerMain', '-d', root];
}

export function prepareRoot(root: string, opts: Pick<ManagedServerOptions, 'host' | 'httpPort' | 'pgPort' | 'healthPort'>): void {
  mkdirSync(join(root, 'conf'), { recursive: true });
  mkdirSync(join(root, 'log'), { recursive: true });
  writeFileSync(join(root, 'conf', 'server.conf'), renderServerConf(opts));
}

export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function commandLineMentions(pid: number, text: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(text));
  } catch {
    return false;
  }
}
