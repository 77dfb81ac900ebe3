/**
 * `npm run test:container`: clawfix against REAL OpenClaw gateways in REAL containers (rootful podman;
 * images built locally and cached by global-setup.mjs). One file at a time, in band.
 */
export default {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/container'],
  testMatch: ['**/*.e2e.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  reporters: ['default', '<rootDir>/test/summary-reporter.cjs'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/container/global-setup.mjs',
  globalTeardown: '<rootDir>/test/container/global-teardown.mjs',
  testTimeout: 600_000,
  maxWorkers: 1,
};
