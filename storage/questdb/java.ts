import { spawnSync } from 'node:child_process';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';

export const MIN_JAVA_MAJOR = 17;

/** The major version printed by `java -version` (`"17.0.15"` → 17, `"1.8.0_392"` → 8). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

/** Checks that `java` runs and is 17 or newer; throws an error that names the fix. */
export function checkJava(java: string): number {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (result.error || result.status !== 0) {
    throw new MeterwatchError(ErrorCodes.JAVA_MISSING, `Java was not found (tried "${java}")`, {
      hint:
        'install Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless), point MW_JAVA at a java executable, ' +
        'or run QuestDB yourself and set MW_QUESTDB_URL',
      cause: result.error,
    });
  }
  const major = parseJavaMajor(`${result.stderr}\n${result.stdout}`);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new MeterwatchError(
      ErrorCodes.JAVA_TOO_OLD,
      `QuestDB needs Java ${MIN_JAVA_MAJOR}+, but "${java}" is Java ${major ?? 'of unknown version'}`,
      { hint: `install Java ${MIN_JAVA_MAJOR}+ and set MW_JAVA to its java executable, or set MW_QUESTDB_URL` },
    );
  }
  return major;
}
