/**
 * One judge = one folder: `judge.json` (format version, judge name, resolved config, judge-owned
 * extras such as a vocabulary or label space, the parameter manifest `params`, a training summary)
 * and `weights.bin`, the parameters as a tensor file of util/tensor-file.ts (offsets in float32
 * values), with its sha256 in judge.json. Folders are written next to the target and swapped in
 * atomically.
 *
 * Loading checks everything it can and fails with one line naming the file and what is wrong:
 * a missing file, another format version, another judge, a config the schema rejects, a weights
 * file of the wrong size or hash, parameters that do not match what the config builds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceDirAtomic, readJsonFile } from '../../util/fs';
import { UserError } from '../../util/errors';
import { NamedTensor, TensorEntry, checkTensorShapes, packTensors, readTensorFile, writeTensorFile } from '../../util/tensor-file';
import { assignTensors, namedTensors, shapesOf } from '../../model/checkpoint';
import type { Params } from './encoder';

export const JUDGE_FORMAT = 'cmrp-judge/1';
export type JudgeName = 'vqa' | 'clip' | 'identity' | 'lpips';

export interface JudgeFile<C = unknown, E = unknown> {
  format: string;
  judge: JudgeName;
  config: C;
  extra: E;
  params: TensorEntry[];
  weights: { file: string; values: number; sha256: string };
  training: Record<string, unknown>;
}

/** sha256 of a parameter set as weights.bin would hold it (identifies a backbone). */
export function paramsSha256(params: Params): string {
  return packTensors(namedTensors(params.vars)).sha256;
}

/** Write a judge folder atomically. */
export async function saveJudge(dir: string, judge: JudgeName, config: unknown, extra: unknown, params: Params, training: Record<string, unknown>): Promise<void> {
  const tensors = namedTensors(params.vars);
  await replaceDirAtomic(dir, (tmp) => {
    const { entries, values, sha256 } = writeTensorFile(path.join(tmp, 'weights.bin'), tensors);
    const file: JudgeFile = { format: JUDGE_FORMAT, judge, config, extra, params: entries, weights: { file: 'weights.bin', values, sha256 }, training };
    fs.writeFileSync(path.join(tmp, 'judge.json'), JSON.stringify(file, null, 2) + '\n');
  });
}

/** Read and check a judge folder's judge.json and weights (not yet against what its config builds: `assignParams`). */
export function readJudge(dir: string, judge: JudgeName): { file: JudgeFile; tensors: Map<string, NamedTensor>; where: string } {
  const where = path.join(dir, 'judge.json');
  if (!fs.existsSync(dir)) throw new UserError(`${dir}: no such judge folder (train judges with \`cmrp judges train\`)`);
  const file = readJsonFile<JudgeFile>(where, 'the judge checkpoint');
  if (typeof file !== 'object' || file === null) throw new UserError(`${where}: expected a JSON object`);
  if (file.format !== JUDGE_FORMAT) throw new UserError(`${where}: format: expected "${JUDGE_FORMAT}", found ${JSON.stringify(file.format)}`);
  if (file.judge !== judge) throw new UserError(`${where}: judge: expected "${judge}", found ${JSON.stringify(file.judge)} (wrong folder?)`);
  if (!file.weights || typeof file.weights.file !== 'string' || typeof file.weights.sha256 !== 'string') throw new UserError(`${where}: weights: expected {file, values, sha256}, found ${JSON.stringify(file.weights)?.slice(0, 60)}`);
  const tensors = readTensorFile(path.join(dir, file.weights.file), file.params, { manifest: where, field: 'params' }, { sha256: file.weights.sha256 });
  return { file, tensors, where };
}

/** Copy saved values into freshly built parameters; every name and shape must match. */
export function assignParams(params: Params, tensors: ReadonlyMap<string, NamedTensor>, where: string): void {
  checkTensorShapes(tensors, shapesOf(params.vars), { manifest: where, field: 'params' }, 'its config');
  assignTensors(params.vars, tensors);
}
