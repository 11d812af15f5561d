/**
 * cmrp-lab's library: what the notebooks (`import * as cmrp from 'cmrp-lab'`) and the CLI use.
 * Namespaces follow the folders: `cmrp.rolescape` (the RoleScape-20 format), `cmrp.synth` (the
 * embedded synthetic world), `cmrp.viz` (figures, tables, image grids).
 */
export * from './backend/select';
export { notebookSetup, NotebookSession } from './notebooks/setup';
export { Rng } from './util/rng';
export { UserError } from './util/errors';
export * as paths from './util/paths';
export * as rolescape from './data/rolescape';
export * as synth from './data/synth';
export * as viz from './viz';
export * as tokenizers from './tokenizers';
export * as model from './model';
export * as train from './train';
export * as judges from './judges';
export * as textJudges from './judges/text';
export * as eval from './eval';
export * as stats from './data/stats';
export { splitGrpoPrompts, GRPO_EVAL_SHARE } from './data/grpo-split';
export * as rewards from './rewards';
