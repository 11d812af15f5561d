/**
 * One judge = one folder: `judge.json` (format version, judge name, resolved config, judge-owned
 * extras such as a vocabulary or label space, the parameter manifest, a training summary) and
 * `weights.bin` (float32 little-endian, parameters concatenated in manifest order, with its
 * sha256 in judge.json). Folders are written next to the target and swapped in atomically.
 *
 * Loading checks everything it can and fails with one line naming the file and what is wrong:
 * a missing file, another format version, another judge, a config the schema rejects, a weights
 * file of the wrong size or hash, parameters that do not match what the config builds.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { replaceDirAtomic, readJsonFile } from '../util/fs';
import { UserError } from '../util/errors';
import type { Params } from './encoder';

export const JUDGE_FORMAT = 'cmrp-judge/1';
export type JudgeName = 'vqa' | 'clip' | 'identity' | 'lpips';

export interface ParamEntry {
  name: string;
  shape: number[];
  /** Offset in float32 values into weights.bin. */
  offset: number;
}

export interface JudgeFile<C = unknown, E = unknown> {
  format: string;
  judge: JudgeName;
  config: C;
  extra: E;
  params: ParamEntry[];
  weights: { file: string; values: number; sha256: string };
  training: Record<string, unknown>;
}

export const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

/** Parameters packed as weights.bin stores them, with their manifest. */
export function packParams(params: Params): { entries: ParamEntry[]; bytes: Uint8Array } {
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (const [name, v] of params.vars) {
    entries.push({ name, shape: v.shape, offset });
    offset += v.size;
  }
  const values = new Float32Array(offset);
  let k = 0;
  for (const v of params.vars.values()) values.set(v.dataSync() as Float32Array, entries[k++].offset);
  return { entries, bytes: new Uint8Array(values.buffer) };
}

/** sha256 of a parameter set as weights.bin would hold it (identifies a backbone). */
export function paramsSha256(params: Params): string {
  return sha256(packParams(params).bytes);
}

/** Write a judge folder atomically. */
export async function saveJudge(dir: string, judge: JudgeName, config: unknown, extra: unknown, params: Params, training: Record<string, unknown>): Promise<void> {
  const { entries, bytes } = packParams(params);
  const file: JudgeFile = { format: JUDGE_FORMAT, judge, config, extra, params: entries, weights: { file: 'weights.bin', values: bytes.byteLength / 4, sha256: sha256(bytes) }, training };
  await replaceDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, 'weights.bin'), bytes);
    fs.writeFileSync(path.join(tmp, 'judge.json'), JSON.stringify(file, null, 2) + '\n');
  });
}

/** Read and check a judge folder's judge.json and weights (not yet the parameter names). */
export function readJudge(dir: string, judge: JudgeName): { file: JudgeFile; values: Float32Array; where: string } {
  const where = path.join(dir, 'judge.json');
  if (!fs.existsSync(dir)) throw new UserError(`${dir}: no such judge folder (train judges with \`cmrp judges train\`)`);
  const file = readJsonFile<JudgeFile>(where, 'the judge checkpoint');
  if (typeof file !== 'object' || file === null) throw new UserError(`${where}: expected a JSON object`);
  if (file.format !== JUDGE_FORMAT) throw new UserError(`${where}: format: expected "${JUDGE_FORMAT}", found ${JSON.stringify(file.format)}`);
  if (file.judge !== judge) throw new UserError(`${where}: judge: expected "${judge}", found ${JSON.stringify(file.judge)} (wrong folder?)`);
  if (!Array.isArray(file.params) || !file.weights || typeof file.weights.sha256 !== 'string') throw new UserError(`${where}: params/weights: missing parameter manifest`);
  const wfile = path.join(dir, file.weights.file);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(wfile);
  } catch (err) {
    throw new UserError(`${wfile}: cannot read the weights (${(err as Error).message.split('\n')[0]})`);
  }
  if (buf.byteLength !== file.weights.values * 4) throw new UserError(`${wfile}: expected ${file.weights.values * 4} bytes (${file.weights.values} float32 values), found ${buf.byteLength}`);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const h = sha256(bytes);
  if (h !== file.weights.sha256) throw new UserError(`${wfile}: sha256 ${h.slice(0, 12)}… does not match judge.json's ${String(file.weights.sha256).slice(0, 12)}… (corrupted, or weights of another checkpoint)`);
  const values = new Float32Array(bytes.slice().buffer);
  return { file, values, where };
}

/** Copy saved values into freshly built parameters; every name and shape must match. */
export function assignParams(params: Params, file: JudgeFile, values: Float32Array, where: string): void {
  const saved = new Map(file.params.map((e) => [e.name, e]));
  for (const [name, v] of params.vars) {
    const e = saved.get(name);
    if (!e) throw new UserError(`${where}: params: no "${name}" [${v.shape}], which this config builds (checkpoint of another architecture?)`);
    if (e.shape.join(',') !== v.shape.join(',')) throw new UserError(`${where}: params: "${name}" has shape [${e.shape}], the config builds [${v.shape}]`);
    if (e.offset < 0 || e.offset + v.size > values.length) throw new UserError(`${where}: params: "${name}" lies outside weights.bin`);
  }
  for (const name of saved.keys()) if (!params.vars.has(name)) throw new UserError(`${where}: params: "${name}" is in the checkpoint but not built by its config`);
  for (const [name, v] of params.vars) {
    const e = saved.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(values.subarray(e.offset, e.offset + v.size), v.shape)));
  }
}

