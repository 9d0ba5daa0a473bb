export * from './types.js';
export * from './dirty.js';
export * from './closed-form.js';
export * from './energy.js';
export * from './cost.js';
export { simulate as predict, simulate, simulateWithSyncs, SYNC_FIELDS, hotShareScanned, expectedCheckIntervalSec, DEFAULT_PLATFORM, DEFAULT_PAGE_SIZE, POLICY_DEFAULTS, LIU_ADAPTIVE_DELTA_BYTES_PER_SEC } from './precopy.js';
export * from './dispersion.js';
export { convergenceOutlook, convergenceFields, predictWithOutlook, firstPassage, normalCdf, CONVERGENCE_VERDICT_P, type ConvergenceOutlook, type ConvergenceFields } from './convergence.js';
