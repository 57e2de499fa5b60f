import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../storage/questdb/ports.ts';

/** Mosquitto from Debian (.ci/debian-packages) on a free loopback port with a temporary config. */
export interface RunningMosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startMosquitto(): Promise<RunningMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'mw-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 100000', 'log_dest stderr', 'log_type error', ''].join('\n'));
  const child: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (exited) throw new Error('mosquitto exited at start (is the Debian package mosquitto installed?)');
    if (Date.now() > deadline) throw new Error('mosquitto did not listen within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise<void>((r) => (exited ? r() : child.once('exit', () => r())));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
