/**
 * A progress line on stderr. On a terminal it redraws in place; otherwise (CI, a log file)
 * it prints a line at most every `plainEveryMs` so logs stay readable.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly startedAt = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 10_000,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(done: number, detail = ''): void {
    const now = Date.now();
    if (now - this.lastDraw < (this.tty ? 200 : this.plainEveryMs) && done < this.total) return;
    this.lastDraw = now;
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (now - this.startedAt) / 1000;
    const eta = ratio > 0 ? (elapsed / ratio - elapsed) : 0;
    const pct = `${(ratio * 100).toFixed(1).padStart(5)}%`;
    const text = `${this.label} ${pct} ${done}/${this.total} ${detail} elapsed ${fmt(elapsed)} eta ${fmt(eta)}`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round(ratio * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K`);
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  done(detail = ''): void {
    this.lastDraw = 0;
    this.update(this.total, detail);
    if (this.tty) this.stream.write('\n');
  }
}

function fmt(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
