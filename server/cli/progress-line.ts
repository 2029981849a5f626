/** A one-line progress bar on stderr (plain lines when stderr is not a terminal). */
export class ProgressLine {
  private done_ = 0;
  private readonly started = performance.now();
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly total: number,
    private readonly unit: string,
  ) {}

  update(label: string): void {
    const width = 24;
    const filled = this.total ? Math.round((this.done_ / this.total) * width) : 0;
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done_}/${this.total} ${this.unit} ${label}`;
    if (this.tty) process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns || 100) - 1)}`);
    else process.stderr.write(text + '\n');
  }

  tick(): void {
    this.done_ += 1;
  }

  advanceTo(done: number): void {
    this.done_ = Math.min(this.total || done, done);
  }

  note(message: string): void {
    process.stderr.write(`${this.tty ? '\r\x1b[2K' : ''}${message}\n`);
  }

  done(message: string): void {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    process.stderr.write(`${this.tty ? '\r\x1b[2K' : ''}${message} in ${seconds} s\n`);
  }
}
