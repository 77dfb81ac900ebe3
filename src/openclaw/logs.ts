/** The gateway log reader: line parsing, the backwards scanner, and where the files are. */
export { parseLogLine } from './log-parse.js';
export { RELEVANT_MARKERS, scanLogs, type ScanLogsOptions } from './log-scan.js';
export { defaultLogFiles } from './log-locations.js';
