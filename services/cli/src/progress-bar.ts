// A one-line progress bar on a terminal (redrawn in place); nothing at all elsewhere, so logs and pipes stay clean.
import { isTerminal } from './qr.js';

export interface ProgressBar {
  update(done: number): void;
  finish(): void;
}

const WIDTH = 30;

export function progressBar(stream: NodeJS.WritableStream, label: string, total: number): ProgressBar {
  if (!isTerminal(stream) || total === 0) return { update: () => undefined, finish: () => undefined };
  let shown = -1;
  let shownDone = -1;
  const draw = (done: number): void => {
    const filled = Math.round((done / total) * WIDTH);
    // Redraw only when the bar moves (or for the final count), once: thousands of rows must not mean thousands of writes.
    if (done === shownDone || (filled === shown && done !== total)) return;
    shown = filled;
    shownDone = done;
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total}`);
  };
  return {
    update: draw,
    finish() {
      draw(total);
      stream.write('\n');
    },
  };
}
