/**
 * Adapter folders: a character's LoRA weights saved apart from the base they were trained on, so
 * one base checkpoint serves many characters.
 *
 *   adapter.json          {format, base: path (relative to this folder), base_sha256, lora, meta}
 *   adapter_weights.json/.bin   lora_A / lora_B tensors (the tensor files of util/tensor-file.ts, as checkpoint weights)
 *   state.json, optim.json/.bin, history.jsonl   optional training state, as in checkpoints
 *
 * Loading checks the base's weights hash: an adapter is refused, with a clear message, on any base
 * other than its own (a changed base would silently give a different model).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { replaceDirAtomic, readJsonFile } from '../util/fs';
import { readTensorFiles, writeTensorFiles } from '../util/tensor-file';
import { assignTensors, loadCheckpoint, namedTensors, shapesOf, writeTrainingState, LoadedCheckpoint, SaveOptions } from './checkpoint';
import { LoraAdapters, LoraSchema } from './lora';
import type { Transformer } from './transformer';

export const ADAPTER_FORMAT = 'cmrp-adapter/1';

/** sha256 of a checkpoint's weights.bin: which base an adapter belongs to. */
export function baseFingerprint(baseDir: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(path.join(baseDir, 'weights.bin'))).digest('hex');
}

export function isAdapterDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'adapter.json'));
}

export async function saveAdapter(dir: string, adapters: LoraAdapters, baseDir: string, opts: SaveOptions & { baseSha256?: string } = {}): Promise<void> {
  const weights = namedTensors(adapters.params.entries());
  const sha = opts.baseSha256 ?? baseFingerprint(baseDir);
  const absDir = path.resolve(dir);
  await replaceDirAtomic(dir, (tmp) => {
    const manifest = { format: ADAPTER_FORMAT, base: path.relative(absDir, path.resolve(baseDir)) || '.', base_sha256: sha, lora: adapters.config, meta: opts.meta ?? {} };
    fs.writeFileSync(path.join(tmp, 'adapter.json'), JSON.stringify(manifest, null, 2) + '\n');
    writeTensorFiles(tmp, 'adapter_weights', weights);
    writeTrainingState(tmp, opts);
  });
}

export interface AdapterManifest {
  base: string; // absolute path of the base checkpoint
  baseSha256: string;
  lora: ReturnType<typeof LoraSchema.parse>;
  meta: Record<string, unknown>;
}

export function readAdapterManifest(dir: string): AdapterManifest {
  const file = path.join(dir, 'adapter.json');
  const raw = readJsonFile<Record<string, unknown>>(file);
  if (raw.format !== ADAPTER_FORMAT) throw new UserError(`${file}: format: expected "${ADAPTER_FORMAT}", found ${JSON.stringify(raw.format)}`);
  if (typeof raw.base !== 'string') throw new UserError(`${file}: base: expected the base checkpoint's path (a string)`);
  const lora = LoraSchema.safeParse(raw.lora);
  if (!lora.success) throw new UserError(`${file}: lora.${lora.error.issues[0].path.join('.')}: ${lora.error.issues[0].message}`);
  return { base: path.resolve(dir, raw.base), baseSha256: String(raw.base_sha256 ?? ''), lora: lora.data, meta: (raw.meta as Record<string, unknown>) ?? {} };
}

/** Put saved adapter weights on a model (the model's own adapters are replaced). */
export function attachAdapter(model: Transformer, dir: string, manifest = readAdapterManifest(dir)): LoraAdapters {
  const adapters = new LoraAdapters(manifest.lora, model);
  try {
    assignTensors(adapters.params, readTensorFiles(dir, 'adapter_weights', { expected: shapesOf(adapters.params), source: 'adapter.json\'s lora on this base' }));
  } catch (err) {
    adapters.dispose();
    throw err;
  }
  model.adapters?.dispose();
  model.adapters = adapters;
  return adapters;
}

/** The base checkpoint an adapter was trained on, with the adapter attached (hash checked). */
export function loadAdapter(dir: string): LoadedCheckpoint & { adapters: LoraAdapters; manifest: AdapterManifest } {
  const manifest = readAdapterManifest(dir);
  if (!fs.existsSync(path.join(manifest.base, 'config.json'))) throw new UserError(`${dir}/adapter.json: base: no checkpoint at ${manifest.base}`);
  const sha = baseFingerprint(manifest.base);
  if (manifest.baseSha256 && sha !== manifest.baseSha256) {
    throw new UserError(`${dir}/adapter.json: base_sha256: the adapter was trained on another version of ${manifest.base} (weights hash ${sha.slice(0, 12)}, expected ${manifest.baseSha256.slice(0, 12)}); retrain the adapter`);
  }
  const ck = loadCheckpoint(manifest.base);
  const adapters = attachAdapter(ck.model, dir, manifest);
  return { ...ck, meta: { ...ck.meta, ...manifest.meta }, adapters, manifest };
}

/** A checkpoint folder or an adapter folder (its base with the adapter attached). */
export function loadModelOrAdapter(dir: string): LoadedCheckpoint & { adapterManifest: AdapterManifest | null } {
  if (!fs.existsSync(dir)) throw new UserError(`${dir}: no such model folder`);
  if (isAdapterDir(dir)) {
    const a = loadAdapter(dir);
    return { ...a, adapterManifest: a.manifest };
  }
  if (!fs.existsSync(path.join(dir, 'config.json'))) throw new UserError(`${dir}: not a model (expected config.json, adapter.json or policy.json from cmrp pretrain/sft/grpo/baseline)`);
  return { ...loadCheckpoint(dir), adapterManifest: null };
}
