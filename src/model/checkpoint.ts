/**
 * Model checkpoints: one folder holding the weights, the resolved model config, the tokenizers and
 * (optionally) training state, written atomically (built beside the target, then swapped in).
 *
 *   config.json      {format, model: ModelConfig, meta}
 *   weights.json     the tensor manifest of weights.bin (util/tensor-file.ts: {format, tensors: [{name, shape, offset}]})
 *   weights.bin      float32, little-endian
 *   tokenizers.json  the text BPE + image codebook the model's vocabulary was built from
 *   state.json       optional training state (step, history, ...), for resume
 *   optim.json/.bin  optional extra tensors (optimizer moments), the same tensor files
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors';
import { replaceDirAtomic, readJsonFile } from '../util/fs';
import { NamedTensor, readTensorFiles, writeTensorFiles } from '../util/tensor-file';
import { Tokenizers } from '../tokenizers/bundle';
import { saveTokenizers, loadTokenizers } from '../tokenizers/serialize';
import { ModelConfig, ModelConfigSchema } from './config';
import { Transformer } from './transformer';

export const CHECKPOINT_FORMAT = 'cmrp-model/1';

/** Named tf tensors as the tensor file takes them (values read now, so a later dispose is safe). */
export function namedTensors(named: Iterable<[string, tf.Tensor]>): NamedTensor[] {
  return [...named].map(([name, t]) => ({ name, shape: [...t.shape], data: t.dataSync() as Float32Array }));
}

/** Copy loaded values into variables whose names and shapes `readTensorFiles` has already checked. */
export function assignTensors(vars: Iterable<[string, tf.Variable]>, tensors: ReadonlyMap<string, NamedTensor>): void {
  for (const [name, v] of vars) tf.tidy(() => v.assign(tf.tensor(tensors.get(name)!.data, v.shape as number[])));
}

/** Name -> shape of a set of variables: what a loader expects a tensor file to hold. */
export const shapesOf = (vars: Iterable<[string, tf.Variable]>): Map<string, number[]> => new Map([...vars].map(([n, v]) => [n, v.shape as number[]]));

export interface SaveOptions {
  meta?: Record<string, unknown>;
  /** Extra named tensors (e.g. optimizer moments) saved as optim.json/.bin. */
  stateTensors?: [string, tf.Tensor][];
  /** JSON training state (step, history, rng) saved as state.json. */
  state?: Record<string, unknown>;
  /** Other files to write into the folder (e.g. history.jsonl), by name. */
  extraFiles?: Record<string, string>;
}

export async function saveCheckpoint(dir: string, model: Transformer, tok: Tokenizers, opts: SaveOptions = {}): Promise<void> {
  if (model.config.vocab_size !== tok.vocab.size) {
    throw new Error(`saveCheckpoint: model vocab_size ${model.config.vocab_size} != tokenizers' vocabulary ${tok.vocab.size}`);
  }
  const weights = namedTensors(model.params.entries());
  await replaceDirAtomic(dir, (tmp) => {
    // a non-finite value throws here (NonFiniteError): the temporary folder goes, `dir` is untouched
    writeTensorFiles(tmp, 'weights', weights);
    fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify({ format: CHECKPOINT_FORMAT, model: model.config, meta: opts.meta ?? {} }, null, 2) + '\n');
    saveTokenizers(tmp, tok);
    writeTrainingState(tmp, opts);
  });
}

/** What a checkpoint or adapter folder carries for resuming: optimizer tensors (optim.*), state.json, extra files. */
export function writeTrainingState(dir: string, opts: SaveOptions): void {
  if (opts.stateTensors) writeTensorFiles(dir, 'optim', namedTensors(opts.stateTensors));
  if (opts.state) fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(opts.state) + '\n');
  for (const [name, content] of Object.entries(opts.extraFiles ?? {})) fs.writeFileSync(path.join(dir, name), content);
}

export interface LoadedCheckpoint {
  model: Transformer;
  tokenizers: Tokenizers;
  config: ModelConfig;
  meta: Record<string, unknown>;
}

export function readCheckpointConfig(dir: string): { model: ModelConfig; meta: Record<string, unknown> } {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new UserError(`${dir}: not a model checkpoint (no config.json)`);
  const raw = readJsonFile<{ format?: unknown; model?: unknown; meta?: Record<string, unknown> }>(file);
  if (raw.format !== CHECKPOINT_FORMAT) throw new UserError(`${file}: format: expected "${CHECKPOINT_FORMAT}", found ${JSON.stringify(raw.format)}`);
  const parsed = ModelConfigSchema.safeParse(raw.model);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UserError(`${file}: model.${i.path.join('.')}: ${i.message}`);
  }
  return { model: parsed.data, meta: raw.meta ?? {} };
}

/**
 * Load a checkpoint. With `expect`, every given config field must match the saved one (a
 * mismatched config is refused with the differing fields named, instead of a shape error later).
 */
export function loadCheckpoint(dir: string, expect: Partial<ModelConfig> = {}): LoadedCheckpoint {
  const { model: config, meta } = readCheckpointConfig(dir);
  const diffs = Object.entries(expect)
    .filter(([k, v]) => (config as Record<string, unknown>)[k] !== v)
    .map(([k, v]) => `${k}: checkpoint has ${JSON.stringify((config as Record<string, unknown>)[k])}, expected ${JSON.stringify(v)}`);
  if (diffs.length) throw new UserError(`${dir}: config does not match: ${diffs.join('; ')}`);
  const tokenizers = loadTokenizers(dir);
  if (tokenizers.vocab.size !== config.vocab_size) {
    throw new UserError(`${dir}: tokenizers.json has a vocabulary of ${tokenizers.vocab.size}, config.json model.vocab_size is ${config.vocab_size}`);
  }
  const model = new Transformer(config, 0);
  try {
    assignTensors(model.params, readTensorFiles(dir, 'weights', { expected: shapesOf(model.params), source: 'config.json\'s model' }));
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, tokenizers, config, meta };
}

/** Training state saved with a checkpoint, or null. */
export function loadCheckpointState(dir: string): { state: Record<string, unknown>; tensors: Map<string, NamedTensor> } | null {
  const file = path.join(dir, 'state.json');
  if (!fs.existsSync(file)) return null;
  const state = readJsonFile<Record<string, unknown>>(file, 'training state');
  const tensors = fs.existsSync(path.join(dir, 'optim.json')) ? readTensorFiles(dir, 'optim') : new Map<string, NamedTensor>();
  return { state, tensors };
}
