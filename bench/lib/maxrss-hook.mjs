// Preloaded with `node --import` when /usr/bin/time is missing: on exit, writes this process's peak
// RSS (process.resourceUsage().maxRSS, KiB) to $BENCH_MAXRSS_FILE. See bench/lib/measure.mjs.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_MAXRSS_FILE;
if (out) {
  delete process.env.BENCH_MAXRSS_FILE; // not inherited by the process's own children
  process.on('exit', () => {
    try {
      writeFileSync(out, String(process.resourceUsage().maxRSS));
    } catch {
      /* best effort */
    }
  });
}
