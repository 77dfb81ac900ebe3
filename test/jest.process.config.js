/** `npm run test:process`: every top-level CLI suite that is not in the fast run or the soak. */
import { jestConfig } from './jest.base.js';

export default jestConfig(['<rootDir>/test/*.test.ts'], {
  testPathIgnorePatterns: ['/test/logs\\.test\\.ts$', '/test/fix\\.test\\.ts$', '/test/diagnose\\.test\\.ts$', '/test/crash-soak\\.test\\.ts$'],
});
