import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { localEndpoints, waitForSql, type QuestdbEndpoints } from './endpoints.ts';
import { readTail } from './jar.ts';
import { commandLineMentions, javaArgs, prepareRoot, readPid, type ManagedServerOptions } from './managed-server.ts';
import { isPortFree } from './ports.ts';
import { isAlive, waitForExit } from './process.ts';

/**
 * `meterwatch questdb start|stop|status`: a QuestDB that outlives the command, for people
 * who run several meterwatch processes against one local store. `meterwatch start` finds it
 * through the marker file and uses it without owning it.
 */
export function detachedFiles(root: string): { pidFile: string; marker: string; logFile: string } {
  const r = resolve(root);
  return { pidFile: join(r, 'questdb.pid'), marker: join(r, 'questdb.detached'), logFile: join(r, 'log', 'questdb.log') };
}

export interface DetachedStatus {
  running: boolean;
  pid?: number | undefined;
  detached: boolean;
  healthy: boolean;
  endpoints: QuestdbEndpoints;
}

export async function detachedStatus(opts: Pick<ManagedServerOptions, 'root' | 'host' | 'httpPort' | 'pgPort'>): Promise<DetachedStatus> {
  const files = detachedFiles(opts.root);
  const pid = readPid(files.pidFile);
  const running = pid !== undefined && isAlive(pid) && commandLineMentions(pid, resolve(opts.root));
  const endpoints = localEndpoints(opts.host, opts.httpPort, opts.pgPort);
  let healthy = false;
  if (running) {
    try {
      await waitForSql(endpoints.httpUrl, 1_500);
      healthy = true;
    } catch {
      healthy = false;
    }
  }
  return { running, pid: running ? pid : undefined, detached: existsSync(files.marker), healthy, endpoints };
}

export async function startDetached(opts: ManagedServerOptions): Promise<QuestdbEndpoints> {
  const root = resolve(opts.root);
  const files = detachedFiles(root);
  const status = await detachedStatus(opts);
  if (status.running) {
    opts.log.info({ pid: status.pid }, 'QuestDB already running on this data directory');
    return status.endpoints;
  }
  for (const [env, port] of [['MW_QUESTDB_HTTP_PORT', opts.httpPort], ['MW_QUESTDB_PG_PORT', opts.pgPort], ['MW_QUESTDB_HEALTH_PORT', opts.healthPort]] as const) {
    if (!(await isPortFree(port, opts.host))) {
      throw new MeterwatchError(ErrorCodes.PORT_IN_USE, `port ${port} on ${opts.host} (${env}) is already in use`, {
        hint: `stop what listens there or choose another port with ${env}`,
      });
    }
  }
  prepareRoot(root, opts);
  const logFd = openSync(files.logFile, 'a');
  const child = spawn(opts.java, javaArgs(opts.jar, root, opts.heap), { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  if (child.pid === undefined) throw new MeterwatchError(ErrorCodes.QUESTDB_START_FAILED, `could not run ${opts.java}`);
  writeFileSync(files.pidFile, String(child.pid));
  writeFileSync(files.marker, new Date().toISOString());
  child.unref();
  const pid = child.pid;
  try {
    await waitForSql(status.endpoints.httpUrl, opts.startTimeoutMs, () => isAlive(pid));
  } catch (err) {
    await stopDetached(opts);
    throw new MeterwatchError(ErrorCodes.QUESTDB_START_FAILED, `QuestDB did not start: ${(err as Error).message}\n--- last lines of ${files.logFile} ---\n${readTail(files.logFile, 30)}`, { cause: err });
  }
  return status.endpoints;
}

export async function stopDetached(opts: Pick<ManagedServerOptions, 'root' | 'log'>): Promise<boolean> {
  const files = detachedFiles(opts.root);
  const pid = readPid(files.pidFile);
  let stopped = false;
  if (pid !== undefined && isAlive(pid) && commandLineMentions(pid, resolve(opts.root))) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(() => isAlive(pid), 25_000))) process.kill(pid, 'SIGKILL');
    await waitForExit(() => isAlive(pid), 5_000);
    stopped = true;
  }
  rmSync(files.pidFile, { force: true });
  rmSync(files.marker, { force: true });
  return stopped;
}
