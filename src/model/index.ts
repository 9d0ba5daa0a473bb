export * from './types.js';
export * from './dirty.js';
export * from './closed-form.js';
export * from './energy.js';
export * from './cost.js';
export { simulate as predict, simulate, hotShareScanned, expectedCheckIntervalSec, DEFAULT_PLATFORM, DEFAULT_LINK_BYTES_PER_SEC, DEFAULT_PAGE_SIZE, POLICY_DEFAULTS, LIU_ADAPTIVE_DELTA_BYTES_PER_SEC } from './precopy.js';
