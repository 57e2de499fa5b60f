import { mkdir, open, readdir, readFile, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

/**
 * The local spool (issue 3 item 3): append-only segment files of ILP text, each append
 * fsynced before the records it holds are acknowledged, replayed oldest-first when QuestDB
 * is back, and bounded: an append past `maxBytes` fails with SpoolFullError so the caller
 * stops acknowledging (devices retry) instead of dropping anything.
 */
export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
  log: Logger;
}

export class SpoolFullError extends MeterwatchError {
  constructor(bytes: number, max: number) {
    super(ErrorCodes.STORAGE, `spool full: ${bytes} of ${max} bytes used; not acknowledging until QuestDB takes the backlog`, {
      hint: 'bring QuestDB back (the spool replays by itself) or raise MW_INGEST_SPOOL_MAX',
    });
  }
}

interface Segment {
  name: string;
  bytes: number;
  rows: number;
}

const SEGMENT = /^seg-(\d{12})\.ilp$/;

export class Spool {
  private readonly segments: Segment[] = [];
  private current: { segment: Segment; handle: FileHandle } | undefined;
  private nextSeq = 1;
  private readonly segmentBytes: number;

  constructor(private readonly opts: SpoolOptions) {
    this.segmentBytes = opts.segmentBytes ?? 4 * 1024 * 1024;
  }

  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  get rows(): number {
    return this.segments.reduce((n, s) => n + s.rows, 0);
  }

  get isEmpty(): boolean {
    return this.segments.every((s) => s.rows === 0);
  }

  /** Finds the segments a previous run left, cutting a torn last line (an unacknowledged append cut by a crash). */
  async open(): Promise<void> {
    await mkdir(join(this.opts.dir, 'dead'), { recursive: true });
    const names = (await readdir(this.opts.dir)).filter((n) => SEGMENT.test(n)).sort();
    for (const name of names) {
      const path = join(this.opts.dir, name);
      const data = await readFile(path);
      const end = data.lastIndexOf(0x0a) + 1;
      if (end < data.length) await truncate(path, end);
      if (end === 0) {
        await rm(path, { force: true });
        continue;
      }
      this.segments.push({ name, bytes: end, rows: countLines(data.subarray(0, end)) });
      this.nextSeq = Math.max(this.nextSeq, Number(SEGMENT.exec(name)![1]) + 1);
    }
    if (this.segments.length > 0) this.opts.log.info({ rows: this.rows, bytes: this.bytes, segments: this.segments.length }, 'spool holds records from a previous run');
  }

  /** Appends ILP text (complete lines) and fsyncs it; resolves only once it is on disk. */
  async append(text: string, rows: number): Promise<void> {
    const size = Buffer.byteLength(text);
    if (this.bytes + size > this.opts.maxBytes) throw new SpoolFullError(this.bytes, this.opts.maxBytes);
    if (!this.current || this.current.segment.bytes >= this.segmentBytes) await this.startSegment();
    const cur = this.current!;
    try {
      await cur.handle.write(text);
      await cur.handle.datasync();
    } catch (err) {
      // A half-written append must not stay in front of later ones: cut it and start afresh.
      await cur.handle.truncate(cur.segment.bytes).catch(() => undefined);
      await this.closeCurrent().catch(() => undefined);
      throw err;
    }
    cur.segment.bytes += size;
    cur.segment.rows += rows;
  }

  /** The oldest segment's text, for replay. Closes the segment being appended to first, so it does not grow meanwhile. */
  async oldest(): Promise<{ name: string; text: string; rows: number } | undefined> {
    const first = this.segments[0];
    if (!first) return undefined;
    if (this.current?.segment === first) await this.closeCurrent();
    return { name: first.name, text: await readFile(join(this.opts.dir, first.name), 'utf8'), rows: first.rows };
  }

  /** Forgets a replayed segment. */
  async remove(name: string): Promise<void> {
    await rm(join(this.opts.dir, name), { force: true });
    this.dropSegment(name);
  }

  /** Keeps ILP lines QuestDB refuses outright in `dead/refused.ilp`, for a person to inspect. */
  async deadLetter(text: string): Promise<void> {
    const handle = await open(join(this.opts.dir, 'dead', 'refused.ilp'), 'a');
    try {
      await handle.write(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    await this.closeCurrent();
  }

  private dropSegment(name: string): void {
    const i = this.segments.findIndex((s) => s.name === name);
    if (i >= 0) this.segments.splice(i, 1);
  }

  private async startSegment(): Promise<void> {
    await this.closeCurrent();
    const name = `seg-${String(this.nextSeq++).padStart(12, '0')}.ilp`;
    const handle = await open(join(this.opts.dir, name), 'a');
    // The new file's directory entry must be durable too, or a crash could lose the whole file.
    const dir = await open(this.opts.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    const segment = { name, bytes: 0, rows: 0 };
    this.segments.push(segment);
    this.current = { segment, handle };
  }

  private async closeCurrent(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (!cur) return;
    await cur.handle.close();
    if (cur.segment.bytes === 0) {
      await rm(join(this.opts.dir, cur.segment.name), { force: true });
      this.dropSegment(cur.segment.name);
    }
  }
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) n++;
  return n;
}
