/**
 * What every jest run of clawfix shares: TypeScript through SWC (ESM), the summary reporter, and at most
 * two workers (the CI machine has two cores). Type checking is `npm run typecheck`.
 *
 * The runs, cheapest first (the pyramid):
 *   npm test              specs in-process (test/spec, the log reader) + the CLI smoke suites   < 60 s
 *   npm run test:process  every other suite that needs the built CLI as a real process
 *   npm run test:soak     the seeded kill -9 soak (104 runs)
 *   npm run test:real     real OpenClaw gateways
 * .ci/run runs all of them.
 */
export function jestConfig(testMatch, extra = {}) {
  return {
    rootDir: new URL('..', import.meta.url).pathname,
    testEnvironment: 'node',
    roots: ['<rootDir>/test'],
    testMatch,
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
    },
    reporters: ['default', '<rootDir>/test/summary-reporter.cjs'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testTimeout: 60000,
    maxWorkers: 2,
    ...extra,
  };
}

/** The fast run: in-process specs and the two smoke suites that drive the built CLI end to end. */
export const FAST = ['<rootDir>/test/spec/**/*.test.ts', '<rootDir>/test/logs.test.ts', '<rootDir>/test/fix.test.ts', '<rootDir>/test/diagnose.test.ts'];
export const SOAK = ['<rootDir>/test/crash-soak.test.ts'];
