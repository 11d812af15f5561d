/** Evaluation: samples for people (and, next, the CMRP metrics). */
export * from './samples';
export * from './quality';
export * from './judge-views';
