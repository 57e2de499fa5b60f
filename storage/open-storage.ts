import { join, resolve } from 'node:path';
import type { Config } from '../core/config/index.ts';
import type { Logger } from '../core/logger.ts';
import { externalEndpoints, waitForSql, type QuestdbEndpoints } from './questdb/endpoints.ts';
import { checkJava } from './questdb/java.ts';
import { ensureQuestdbJar } from './questdb/jar.ts';
import { ManagedQuestdb, type ManagedServerOptions } from './questdb/managed-server.ts';
import { detachedStatus } from './questdb/detached.ts';
import { migrate } from './migrations/index.ts';
import { SqlClient } from './sql.ts';
import { StorageMonitor } from './storage-monitor.ts';

export interface Storage {
  readonly endpoints: QuestdbEndpoints;
  readonly sql: SqlClient;
  readonly monitor: StorageMonitor;
  /** How QuestDB is run: `external` (MW_QUESTDB_URL), `detached` (meterwatch questdb start), `managed` (child). */
  readonly mode: 'external' | 'detached' | 'managed';
  readonly managed: ManagedQuestdb | undefined;
  close(): Promise<void>;
}

export function managedOptions(config: Config, log: Logger, jar = ''): ManagedServerOptions {
  const q = config.questdb;
  return {
    jar,
    java: q.java,
    root: join(resolve(config.general.dataDir), 'questdb'),
    host: q.host,
    httpPort: q.httpPort,
    pgPort: q.pgPort,
    healthPort: q.healthPort,
    heap: q.heap,
    startTimeoutMs: q.startTimeout,
    log,
  };
}

/**
 * QuestDB ready for use, migrated: an existing one when MW_QUESTDB_URL is set, a detached
 * one already running on the data directory, or else a managed child process.
 */
export async function openStorage(config: Config, log: Logger): Promise<Storage> {
  const qlog = log.child({ module: 'questdb' });
  let endpoints: QuestdbEndpoints;
  let mode: Storage['mode'];
  let managed: ManagedQuestdb | undefined;
  if (config.questdb.url) {
    endpoints = externalEndpoints(config.questdb.url, config.questdb.pgUrl);
    mode = 'external';
    await waitForSql(endpoints.httpUrl, config.questdb.startTimeout);
  } else {
    const status = await detachedStatus(managedOptions(config, qlog));
    if (status.running && status.healthy) {
      endpoints = status.endpoints;
      mode = 'detached';
      qlog.info({ pid: status.pid }, 'using the QuestDB started by `meterwatch questdb start`');
    } else {
      checkJava(config.questdb.java);
      const jar = await ensureQuestdbJar({ ...config.questdb, cacheDir: config.general.cacheDir, log: qlog });
      managed = new ManagedQuestdb(managedOptions(config, qlog, jar));
      endpoints = await managed.start();
      mode = 'managed';
    }
  }
  const sql = new SqlClient(endpoints.pgUrl, log.child({ module: 'sql' }));
  try {
    await migrate(sql, log.child({ module: 'migrations' }));
  } catch (err) {
    await sql.close();
    await managed?.stop();
    throw err;
  }
  const monitor = new StorageMonitor(endpoints, sql, qlog);
  monitor.start();
  return {
    endpoints,
    sql,
    monitor,
    mode,
    managed,
    async close() {
      monitor.stop();
      await sql.close();
      await managed?.stop();
    },
  };
}
