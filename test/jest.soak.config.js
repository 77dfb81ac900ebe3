/** `npm run test:soak`: the seeded kill -9 soak (CLAWFIX_SOAK_SEED repeats a run). */
import { SOAK, jestConfig } from './jest.base.js';

export default jestConfig(SOAK);
