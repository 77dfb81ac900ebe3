/** A one-line spinner on stderr, only on a TTY (and never in CI or --json): otherwise plain lines. */
export interface Spinner {
  start(text: string): void;
  stop(final?: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function makeSpinner(stream: NodeJS.WritableStream & { isTTY?: boolean }, enabled: boolean): Spinner {
  let timer: NodeJS.Timeout | undefined;
  let text = '';
  const live = enabled && !!stream.isTTY;
  return {
    start(t) {
      text = t;
      if (!live) return;
      let i = 0;
      clearInterval(timer);
      const draw = () => stream.write(`\r\x1b[2K${FRAMES[i++ % FRAMES.length]} ${text}`);
      draw();
      timer = setInterval(draw, 80);
      timer.unref();
    },
    stop(final) {
      if (live) {
        clearInterval(timer);
        timer = undefined;
        stream.write('\r\x1b[2K');
      }
      if (final) stream.write(final + '\n');
    },
  };
}
