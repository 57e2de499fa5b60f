import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { ensureQuestdbJar } from '../../storage/questdb/jar.ts';
import { ManagedQuestdb } from '../../storage/questdb/managed-server.ts';
import { freePort } from '../../storage/questdb/ports.ts';
import { migrate } from '../../storage/migrations/index.ts';
import { SqlClient } from '../../storage/sql.ts';
import { QUESTDB_VERSION, CACHE_DIR } from './constants.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    questdbHttpUrl: string;
    questdbPgUrl: string;
    questdbJar: string;
  }
}

/** One real QuestDB for the whole integration run, on free ports and a temporary directory. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = silentLogger();
  const jar = await ensureQuestdbJar({ version: QUESTDB_VERSION, cacheDir: CACHE_DIR, mavenRepo: 'https://repo1.maven.org/maven2', useMaven: true, log });
  const root = mkdtempSync(join(tmpdir(), 'mw-it-questdb-'));
  const server = new ManagedQuestdb({
    jar,
    java: process.env.MW_JAVA ?? 'java',
    root,
    host: '127.0.0.1',
    httpPort: await freePort(),
    pgPort: await freePort(),
    healthPort: await freePort(),
    heap: '2g',
    startTimeoutMs: 120_000,
    log,
  });
  const endpoints = await server.start();
  const sql = new SqlClient(endpoints.pgUrl, log);
  await migrate(sql, log);
  await sql.close();
  project.provide('questdbHttpUrl', endpoints.httpUrl);
  project.provide('questdbPgUrl', endpoints.pgUrl);
  project.provide('questdbJar', jar);
  return async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
