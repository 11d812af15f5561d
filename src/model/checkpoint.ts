/**
 * Model checkpoints: one folder holding the weights, the resolved model config, the tokenizers and
 * (optionally) training state, written atomically (built beside the target, then swapped in).
 *
 *   config.json      {format, model: ModelConfig, meta}
 *   weights.json     [{name, shape, offset}] into weights.bin (float32, little-endian)
 *   weights.bin
 *   tokenizers.json  the text BPE + image codebook the model's vocabulary was built from
 *   state.json       optional training state (step, history, ...), for resume
 *   optim.json/.bin  optional extra tensors (optimizer moments), same layout as weights
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors';
import { replaceDirAtomic, readJsonFile, jsonErrorMessage } from '../util/fs';
import { Tokenizers } from '../tokenizers/bundle';
import { saveTokenizers, loadTokenizers } from '../tokenizers/serialize';
import { ModelConfig, ModelConfigSchema } from './config';
import { Transformer } from './transformer';

export const CHECKPOINT_FORMAT = 'cmrp-model/1';

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** How many values are NaN or infinite, and the first index of one (-1: none). */
export function countNonFinite(data: Float32Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return { count, first };
}

/** Refuses NaN/Infinity: a diverged run must not be saved as if it were a model. */
export class NonFiniteError extends UserError {}

/** Named float32 tensors -> (manifest, bytes). Throws NonFiniteError on a non-finite value: nothing is written. */
export function packTensors(named: [string, tf.Tensor][]): { manifest: TensorEntry[]; bytes: Buffer } {
  const manifest: TensorEntry[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of named) {
    const data = t.dataSync() as Float32Array;
    const bad = countNonFinite(data);
    if (bad.count) throw new NonFiniteError(`refusing to save: ${name} holds ${bad.count} non-finite value(s) (NaN or Infinity); the run diverged, nothing was written`);
    manifest.push({ name, shape: t.shape, offset });
    parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  return { manifest, bytes: Buffer.concat(parts) };
}

export function unpackTensors(dir: string, stem: string): Map<string, { shape: number[]; data: Float32Array }> {
  const manifestFile = path.join(dir, `${stem}.json`);
  const binFile = path.join(dir, `${stem}.bin`);
  let manifest: TensorEntry[];
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as TensorEntry[];
  } catch (err) {
    throw new UserError(`${manifestFile}: cannot read (${jsonErrorMessage(err)})`);
  }
  if (!Array.isArray(manifest)) throw new UserError(`${manifestFile}: expected an array of {name, shape, offset}`);
  if (!fs.existsSync(binFile)) throw new UserError(`${binFile}: missing (${stem}.json lists its tensors); the folder is incomplete: save or copy it again`);
  const bin = fs.readFileSync(binFile);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [i, e] of manifest.entries()) {
    if (!e || typeof e.name !== 'string' || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new UserError(`${manifestFile}: [${i}]: expected {name, shape: [whole numbers], offset}`);
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset + 4 * n > bin.length) {
      throw new UserError(`${manifestFile}: [${i}] ${e.name}: needs bytes ${e.offset}..${e.offset + 4 * n} but ${stem}.bin has ${bin.length}`);
    }
    // copy: the Buffer's pool offset need not be 4-byte aligned
    const data = new Float32Array(n);
    Buffer.from(data.buffer).set(bin.subarray(e.offset, e.offset + 4 * n));
    const bad = countNonFinite(data);
    if (bad.count) throw new NonFiniteError(`${binFile}: ${e.name} holds ${bad.count} non-finite value(s) (NaN or Infinity); a diverged model cannot be loaded, scored or resumed`);
    out.set(e.name, { shape: e.shape, data });
  }
  return out;
}

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
  const weights = packTensors([...model.params.entries()]);
  const state = opts.stateTensors ? packTensors(opts.stateTensors) : null;
  await replaceDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify({ format: CHECKPOINT_FORMAT, model: model.config, meta: opts.meta ?? {} }, null, 2) + '\n');
    writeTensorFiles(tmp, 'weights', weights);
    saveTokenizers(tmp, tok);
    writeTrainingState(tmp, state, opts);
  });
}

/** Packed tensors as `<stem>.json` (manifest) and `<stem>.bin`. */
export function writeTensorFiles(dir: string, stem: string, packed: { manifest: TensorEntry[]; bytes: Buffer }): void {
  fs.writeFileSync(path.join(dir, `${stem}.json`), JSON.stringify(packed.manifest) + '\n');
  fs.writeFileSync(path.join(dir, `${stem}.bin`), packed.bytes);
}

/** What a checkpoint or adapter folder carries for resuming: optimizer tensors (optim.*), state.json, extra files. */
export function writeTrainingState(dir: string, optim: { manifest: TensorEntry[]; bytes: Buffer } | null, opts: SaveOptions): void {
  if (optim) writeTensorFiles(dir, 'optim', optim);
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
  const tensors = unpackTensors(dir, 'weights');
  const model = new Transformer(config, 0);
  for (const [name, v] of model.params) {
    const t = tensors.get(name);
    if (!t) throw new UserError(`${dir}/weights.json: missing parameter ${name} [${v.shape}]`);
    if (t.shape.join(',') !== v.shape.join(',')) throw new UserError(`${dir}/weights.json: ${name}: shape [${t.shape}] but the config needs [${v.shape}]`);
    tf.tidy(() => v.assign(tf.tensor(t.data, v.shape as number[])));
  }
  const extra = [...tensors.keys()].filter((k) => !model.params.has(k));
  if (extra.length) throw new UserError(`${dir}/weights.json: parameters the config does not have: ${extra.slice(0, 5).join(', ')}`);
  return { model, tokenizers, config, meta };
}

/** Training state saved with a checkpoint, or null. */
export function loadCheckpointState(dir: string): { state: Record<string, unknown>; tensors: Map<string, { shape: number[]; data: Float32Array }> } | null {
  const file = path.join(dir, 'state.json');
  if (!fs.existsSync(file)) return null;
  const state = readJsonFile<Record<string, unknown>>(file, 'training state');
  const tensors = fs.existsSync(path.join(dir, 'optim.json')) ? unpackTensors(dir, 'optim') : new Map();
  return { state, tensors };
}
