/**
 * Prints one plain closing line after jest's own summary: `Tests: N passed, N failed, N skipped`.
 * With CLAWFIX_TEST_TOTALS set, also appends the counts to that file so .ci/run can print the total
 * of several jest runs (unit/CLI suites and the real-gateway suites) as its very last line.
 */
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, r) {
    const passed = r.numPassedTests;
    const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    const skipped = r.numPendingTests + r.numTodoTests;
    // Written at exit so it comes after jest's own summary, as the very last line.
    process.once('exit', () => fs.writeSync(1, `\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`));
    if (process.env.CLAWFIX_TEST_TOTALS) {
      fs.appendFileSync(process.env.CLAWFIX_TEST_TOTALS, JSON.stringify({ passed, failed, skipped }) + '\n');
    }
  }
}

module.exports = SummaryReporter;
