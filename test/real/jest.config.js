/**
 * `npm run test:real`: clawfix against REAL OpenClaw gateways (installed from npm into a cache dir
 * outside the repo by global-setup.mjs). One file at a time: a real gateway takes ~1 GB of RAM.
 */
export default {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/real'],
  testMatch: ['**/*.e2e.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  reporters: ['default', '<rootDir>/test/summary-reporter.cjs'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/real/global-setup.mjs',
  globalTeardown: '<rootDir>/test/real/global-teardown.mjs',
  testTimeout: 300_000,
  maxWorkers: 1,
};
