/** Evaluation: samples for people, the CMRP evaluation suite, policies, experiment grids. */
export * from './samples';
export * from './quality';
export * from './base-diagnostics';
export * from './judge-views';
export * from './policy';
export * from './load-policy';
export * as suite from './suite';
export * as experiments from './experiments';
export * from './playground';
