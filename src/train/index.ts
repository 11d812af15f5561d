/** Training: task examples, encoding and batching, the LM trainer, base pretraining. */
export * from './tasks';
export * from './encode';
export * from './sampler';
export { cosineLr } from '../util/schedule';
export * from './lm-trainer';
export * from './pretrain';
export * from '../data/shots';
export * from './sft';
export * from './grpo-config';
export * from '../grpo/objective';
export * from './rollout';
export * from './grpo';
export * from './grpo-setup';
