/** The tiny unified model: config, transformer, ops, optimizer, checkpoints. */
export * from './config';
export * from './transformer';
export * as ops from './ops';
export * from './optim';
export * from './checkpoint';
export * from './generate';
export * from './lora';
export * from './adapter';
