/** migcost's public library API. */
export * from './model/index.js';
export * from './units.js';
