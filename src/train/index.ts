/** Training: task examples, encoding and batching, the LM trainer, base pretraining. */
export * from './tasks';
export * from './encode';
export * from './sampler';
export * from './schedule';
export * from './lm-trainer';
export * from './pretrain';
export * from './shots';
export * from './sft';
