import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

export interface JarOptions {
  version: string;
  cacheDir: string;
  mavenRepo: string;
  useMaven: boolean;
  log: Logger;
}

const GROUP_PATH = 'org/questdb/questdb';

export function jarFileName(version: string): string {
  return `questdb-${version}.jar`;
}

export function mavenAvailable(): boolean {
  const r = spawnSync('mvn', ['-v'], { encoding: 'utf8', timeout: 60_000 });
  return !r.error && r.status === 0;
}

/**
 * The path of the QuestDB server jar, fetched on first use and cached in `cacheDir`:
 * with Maven when installed, else downloaded from the Maven repository and checked
 * against its published SHA-1 (issue: foundation, item 2).
 */
export async function ensureQuestdbJar(opts: JarOptions): Promise<string> {
  const dir = resolve(opts.cacheDir);
  const jar = join(dir, jarFileName(opts.version));
  if (existsSync(jar) && statSync(jar).size > 0) return jar;
  mkdirSync(dir, { recursive: true });

  if (opts.useMaven && mavenAvailable()) {
    opts.log.info({ version: opts.version, dir }, 'fetching QuestDB with Maven');
    const r = spawnSync(
      'mvn',
      ['-q', '-B', 'dependency:copy', `-Dartifact=org.questdb:questdb:${opts.version}`, `-DoutputDirectory=${dir}`],
      { encoding: 'utf8', timeout: 600_000 },
    );
    if (r.status === 0 && existsSync(jar)) return jar;
    opts.log.warn({ status: r.status, out: tail(`${r.stdout}\n${r.stderr}`, 20) }, 'Maven could not fetch QuestDB; trying a direct download');
  }
  await downloadVerified(opts, jar);
  return jar;
}

async function downloadVerified(opts: JarOptions, target: string): Promise<void> {
  const base = `${opts.mavenRepo.replace(/\/+$/, '')}/${GROUP_PATH}/${opts.version}/${jarFileName(opts.version)}`;
  opts.log.info({ url: base }, 'downloading QuestDB');
  let expected: string;
  let body: Buffer;
  try {
    expected = (await fetchBuffer(`${base}.sha1`)).toString('utf8').trim().split(/\s+/)[0]!.toLowerCase();
    body = await fetchBuffer(base);
  } catch (err) {
    throw new MeterwatchError(ErrorCodes.JAR_FETCH_FAILED, `could not download QuestDB ${opts.version} from ${opts.mavenRepo}: ${(err as Error).message}`, {
      hint: `install Maven (apt-get install maven), put ${jarFileName(opts.version)} into ${opts.cacheDir}, set MW_MAVEN_REPO to a reachable mirror, or set MW_QUESTDB_URL to an existing QuestDB`,
      cause: err,
    });
  }
  const actual = createHash('sha1').update(body).digest('hex');
  if (!/^[0-9a-f]{40}$/.test(expected) || actual !== expected) {
    throw new MeterwatchError(
      ErrorCodes.JAR_CHECKSUM_MISMATCH,
      `downloaded ${jarFileName(opts.version)} has SHA-1 ${actual} but the repository publishes "${expected}"; the file was not kept`,
      { hint: 'retry, or check MW_MAVEN_REPO points at a trustworthy Maven repository' },
    );
  }
  const partial = `${target}.partial`;
  writeFileSync(partial, body);
  renameSync(partial, target);
}

async function fetchBuffer(url: string): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(300_000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export function tail(text: string, lines: number): string {
  return text.split('\n').filter((l) => l.length > 0).slice(-lines).join('\n');
}

export function readTail(path: string, lines: number): string {
  if (!existsSync(path)) return '(no log written)';
  const buf = readFileSync(path);
  return tail(buf.subarray(Math.max(0, buf.length - 64 * 1024)).toString('utf8'), lines);
}
