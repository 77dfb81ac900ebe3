/** Whether a transaction is running: Ctrl-C then means "roll back", otherwise "exit now with 130". */
let active = 0;

export function enterCritical(): () => void {
  active++;
  let done = false;
  return () => {
    if (!done) {
      done = true;
      active--;
    }
  };
}

export function inCritical(): boolean {
  return active > 0;
}
