/** `npm test`: the fast run (see test/jest.base.js for the others). */
import { FAST, jestConfig } from './test/jest.base.js';

export default jestConfig(FAST);
