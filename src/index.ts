/** cmrp-lab's library: what the notebooks and the CLI import. */
export * from './backend/select';
export { Rng } from './util/rng';
