/**
 * Reliability: a table of bad inputs a new user meets (corrupt data folders, bad configs and
 * options, `--out` that is not the run's own, NaN, concurrent runs, symlinks and FIFOs, kill -9),
 * each run through the real CLI entry (`main`, in this process, or the built CLI in a child process
 * where a hang or a kill is the point). Every row must end in its expected exit code with one line
 * naming the problem: no stack trace, no hang, no user file lost, no run that exits 0 on data
 * `validate` rejects or with non-finite weights. The table is printed.
 *
 * Data: a temp copy of two synthetic characters (Alneette, Calmaric); nothing outside temp is written.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { main } from '../src/cli/main';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { prepareSft, resolveSftConfig } from '../src/train/sft';
import { prepareGrpo } from '../src/train/grpo-setup';
import { resolveGrpoConfig } from '../src/train/grpo-config';
import { saveCheckpoint } from '../src/model/checkpoint';
import { dataContentHash } from '../src/eval/experiments/runner';
import { markdownReport, RESULTS_FORMAT } from '../src/eval/experiments/results';
import { projectRoot } from '../src/util/paths';
import { isExecutedCopy } from '../src/notebooks/executed-copy';
import { dangerousOut } from '../src/util/dangerous-out';
import { tempDir, hashTree } from './synth-helpers';

const root = projectRoot();
const CLI = path.join(root, 'dist', 'src', 'cli', 'main.js');
const synth = path.join(root, 'data', 'synth');
const tmp = tempDir('reliability');
const A = 'Alneette';
const rows: { n: number; group: string; name: string; code: number | null; want: number; line: string; ok: boolean }[] = [];

interface Run { code: number | null; out: string; err: string }

/** The CLI in this process, stdout/stderr captured; a throw out of `main` is a bug (exit 70). */
async function cli(args: string[]): Promise<Run> {
  const w = { out: process.stdout.write, err: process.stderr.write, log: console.log, error: console.error };
  let out = '', err = '';
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  console.log = (...xs: unknown[]) => void (out += xs.join(' ') + '\n');
  console.error = (...xs: unknown[]) => void (err += xs.join(' ') + '\n');
  let code: number;
  try {
    code = await main(['node', 'cmrp', ...args]);
  } catch (e) {
    code = 70;
    err += `cmrp: internal error: ${(e as Error).stack}`;
  } finally {
    process.stdout.write = w.out;
    process.stderr.write = w.err;
    console.log = w.log;
    console.error = w.error;
    process.exitCode = undefined;
  }
  return { code, out, err };
}

/** The built CLI in a child process, with a timeout (a hang is a failure, not a stuck test). */
function child(args: string[], timeout = 120_000): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, env: { ...process.env } });
  return { code: r.error ? null : r.status, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? `\n(timed out after ${timeout} ms)` : '') };
}

const messageLine = (r: Run) => (r.err.split('\n').find((l) => l.startsWith('cmrp: ') || l.startsWith('error: ')) ?? r.err.split('\n').filter(Boolean).pop() ?? '').replace(/^cmrp: /, '');

/** Record a row; assert exit code, message, no stack trace, no quoted secrets. */
function expect(group: string, name: string, r: Run, want: number, re?: RegExp): void {
  const line = messageLine(r);
  const problems: string[] = [];
  if (r.code !== want) problems.push(`exit ${r.code}, expected ${want}`);
  if (re && !re.test(r.err + r.out)) problems.push(`output does not match ${re}`);
  if (/\n\s+at .*\(.*:\d+:\d+\)/.test(r.err) || /internal error/.test(r.err)) problems.push('stack trace');
  if (/root:x:0:0|726f6f743a78/.test(r.err + r.out)) problems.push('echoed /etc/passwd');
  if (want !== 0 && line.includes('\n')) problems.push('multi-line message');
  rows.push({ n: rows.length + 1, group, name, code: r.code, want, line: line.slice(0, 110), ok: !problems.length });
  assert.ok(!problems.length, `${group} / ${name}: ${problems.join('; ')}\n--- stderr:\n${r.err.slice(-2000)}`);
}

/** A mini dataset: the two characters' train/test/grpo folders. */
function miniDataset(dir: string): string {
  for (const split of ['train', 'test', 'grpo']) for (const c of [A, 'Calmaric']) fs.cpSync(path.join(synth, split, c), path.join(dir, split, c), { recursive: true });
  return dir;
}

let clean = '';
/** A fresh copy of the clean mini dataset with `corrupt` applied to Alneette's folders. */
function corrupted(label: string, corrupt: (d: { train: string; test: string; grpo: string; root: string }) => void): string {
  const dir = path.join(tmp, 'data', label);
  fs.cpSync(clean, dir, { recursive: true });
  corrupt({ train: path.join(dir, 'train', A), test: path.join(dir, 'test', A), grpo: path.join(dir, 'grpo', A), root: dir });
  return dir;
}

const smokeCfg = (over: object) => {
  const f = path.join(tmp, 'cfg', `${Object.keys(over ?? {}).join('-')}-${rows.length}-${Math.random().toString(36).slice(2, 7)}.json`);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, JSON.stringify(over));
  return f;
};

test('reliability: >= 60 bad inputs, each a one-line user error (or a safe success), no hang, nothing lost', { timeout: 30 * 60_000 }, async () => {
  await initBackend();
  await ensureSynthDataset({ dir: synth, seed: 0 });
  clean = miniDataset(path.join(tmp, 'clean'));
  const cleanHash = hashTree(clean);
  const sft = (data: string, out: string, ...more: string[]) => ['sft', '--character', A, '--data', data, '--config', 'smoke', '--out', out, '--quiet', ...more];

  // ---- 1. corrupt data folders: validate rejects them (exit 1), sft stops on them (exit 2), nothing trained or written into the data
  const corruptions: [string, (d: { train: string; test: string; grpo: string; root: string }) => void, RegExp][] = [
    ['all training PNGs deleted', (d) => fs.readdirSync(d.train).filter((f) => f.endsWith('.png')).forEach((f) => fs.rmSync(path.join(d.train, f))), /missing-image|does not exist/],
    ['knowledge file emptied', (d) => fs.writeFileSync(path.join(d.train, `${A}_knowledge_qa.json`), ''), /empty/],
    ['a PNG truncated', (d) => fs.truncateSync(path.join(d.train, '1.png'), 60), /PNG/],
    ['a PNG replaced by text', (d) => fs.writeFileSync(path.join(d.train, '2.png'), 'hello, not an image'), /not a PNG/],
    ['annotation.json truncated', (d) => fs.truncateSync(path.join(d.train, 'annotation.json'), 40), /invalid JSON|truncated/],
    ['with_image.json not UTF-8', (d) => fs.writeFileSync(path.join(d.train, `${A}_with_image.json`), Buffer.from([0xff, 0xfe, 0x7b, 0x80])), /UTF-8/],
    ['full profile missing', (d) => fs.rmSync(path.join(d.train, `${A}_full_profile.txt`)), /missing/],
    ['simplified profile empty', (d) => fs.writeFileSync(path.join(d.train, `${A}_personality_simplified_profile.txt`), ''), /empty/],
    ['t2i instructions of the wrong type', (d) => fs.writeFileSync(path.join(d.train, `${A}_t2i_instruction.json`), '42'), /expected/],
    ['memorization test is null', (d) => fs.writeFileSync(path.join(d.train, `${A}_memorization_test.json`), 'null'), /expected|null/],
    ['knowledge file is a folder', (d) => (fs.rmSync(path.join(d.train, `${A}_knowledge_qa.json`)), fs.mkdirSync(path.join(d.train, `${A}_knowledge_qa.json`))), /directory/],
    ['grpo prompts with a torn line', (d) => fs.appendFileSync(path.join(d.grpo, `${A}_pure_t2i_with_vqa.jsonl`), '{"prompt": "a half'), /invalid JSON|ends early/],
    ['test folder missing', (d) => fs.rmSync(d.test, { recursive: true }), /no test folder/],
    ['a referenced PNG deleted', (d) => fs.rmSync(path.join(d.train, '0.png')), /does not exist/],
    ['a 40 MB sparse knowledge file', (d) => fs.truncateSync(path.join(d.train, `${A}_knowledge_qa.json`), 40 << 20), /bytes/],
    ['PNG symlinked to /etc/passwd', (d) => (fs.rmSync(path.join(d.train, '1.png')), fs.symlinkSync('/etc/passwd', path.join(d.train, '1.png'))), /outside the dataset folder/],
    ['profile symlinked out of the folder', (d) => (fs.rmSync(path.join(d.train, `${A}_full_profile.txt`)), fs.symlinkSync(path.join(synth, 'train', 'Calmaric', 'Calmaric_full_profile.txt'), path.join(d.train, `${A}_full_profile.txt`))), /outside the dataset folder/],
    ['knowledge QA of the wrong shape', (d) => fs.writeFileSync(path.join(d.train, `${A}_knowledge_qa.json`), '[{"q": 1}]'), /expected|missing/],
  ];
  for (const [name, corrupt, re] of corruptions) {
    const dir = corrupted(name.replace(/\W+/g, '-'), corrupt);
    const before = hashTree(dir);
    expect('data', `validate: ${name}`, await cli(['data', 'validate', dir, '-q']), 1, re);
    const out = path.join(tmp, 'out-data', name.replace(/\W+/g, '-'));
    expect('data', `sft: ${name}`, await cli(sft(dir, out)), 2, /data error\(s\)/);
    assert.ok(!fs.existsSync(path.join(out, 'weights.bin')), `${name}: sft trained on data validate rejects`);
    assert.equal(hashTree(dir), before, `${name}: the data folder changed`);
  }
  // every command that trains, scores or exports stops on the same errors (not only sft)
  const gated = corrupted('gate-all', (d) => fs.writeFileSync(path.join(d.train, `${A}_knowledge_qa.json`), ''));
  const gateCmds: [string, string[]][] = [
    ['grpo', ['grpo', '--character', A, '--data', gated, '--model', path.join(root, 'checkpoints', 'base'), '--config', 'smoke', '--out', path.join(tmp, 'o-gate-g')]],
    ['eval', ['eval', '--character', A, '--data', gated, '--model', path.join(root, 'checkpoints', 'base'), '--config', 'smoke', '--out', path.join(tmp, 'gate.json')]],
    ['export official', ['export', 'official', '--character', A, '--data', gated, '--out', path.join(tmp, 'o-gate-x')]],
    ['experiment', ['experiment', '--grid', 'demo-smoke', '--data', gated, '--characters', A, '--out', path.join(tmp, 'o-gate-e'), '--quiet']],
    ['baseline', ['baseline', '--kind', 'prompt-only', '--character', A, '--data', gated, '--out', path.join(tmp, 'o-gate-b')]],
  ];
  for (const [name, args] of gateCmds) expect('data', `${name}: knowledge file emptied`, await cli(args), 2, /1 data error\(s\)[\s\S]*expected a JSON document, found an empty file/);
  assert.ok(!fs.existsSync(path.join(tmp, 'gate.json')) && !fs.existsSync(path.join(tmp, 'o-gate-x', 'cmrp-export.json')), 'a gated command wrote its output');
  // --allow-invalid proceeds past the gate (it then fails or trains on its own terms: here the config is refused first to keep it short)
  const emptied = corrupted('allow-invalid', (d) => fs.writeFileSync(path.join(d.train, `${A}_knowledge_qa.json`), ''));
  expect('data', 'sft --allow-invalid lists the errors and proceeds', await cli([...sft(emptied, path.join(tmp, 'allow')), '--allow-invalid', '--shots', '11']), 2, /proceeding \(--allow-invalid\)[\s\S]*shots: 11/);
  // an empty character folder and an unknown character
  const emptyChar = corrupted('empty-character', (d) => fs.mkdirSync(path.join(d.root, 'train', 'Nobody')));
  expect('data', 'sft on an empty character folder', await cli(['sft', '--character', 'Nobody', '--data', emptyChar, '--config', 'smoke', '--out', path.join(tmp, 'o-empty'), '--quiet']), 2, /Nobody: \d+ data error/);
  expect('data', 'eval: unknown character', await cli(['eval', '--character', 'Zed', '--model', path.join(root, 'checkpoints', 'base'), '--data', clean, '--config', 'smoke', '--out', path.join(tmp, 'r.json')]), 2, /unknown character "Zed"/);

  // ---- 2. hangs and runaway reads, in child processes with a timeout
  const fifo = corrupted('fifo', (d) => (fs.rmSync(path.join(d.train, '3.png')), execFileSync('mkfifo', [path.join(d.train, '3.png')])));
  expect('fs', 'validate: a FIFO named 3.png (no hang)', child(['data', 'validate', fifo, '-q'], 240_000), 1, /FIFO/);
  expect('fs', 'sft: a FIFO named 3.png (no hang)', child(sft(fifo, path.join(tmp, 'o-fifo')), 240_000), 2, /FIFO|data error/);
  const zero = corrupted('devzero', (d) => (fs.rmSync(path.join(d.train, '4.png')), fs.symlinkSync('/dev/zero', path.join(d.train, '4.png'))));
  const t0 = Date.now();
  expect('fs', 'validate: 4.png -> /dev/zero (no runaway memory)', child(["data", "validate", zero, "-q"], 240_000), 1, /outside the dataset folder/);
  assert.ok(Date.now() - t0 < 240_000);
  const cfgFifo = path.join(tmp, 'cfg-fifo.json');
  execFileSync('mkfifo', [cfgFifo]);
  expect('fs', '--config is a FIFO (no hang)', child(sft(clean, path.join(tmp, 'o-cfgfifo')).map((a) => (a === 'smoke' ? cfgFifo : a)), 240_000), 2, /not a regular file/);
  expect('fs', 'export official: a PNG symlinked to /etc/passwd is not copied', await cli(['export', 'official', '--character', A, '--data', corrupted('export-link', (d) => (fs.rmSync(path.join(d.train, '1.png')), fs.symlinkSync('/etc/passwd', path.join(d.train, '1.png')))), '--out', path.join(tmp, 'exp-link')]), 2, /outside the dataset folder/);
  assert.ok(!fs.existsSync(path.join(tmp, 'exp-link')));

  // ---- 3. bad configs and option values: refused before any data is read
  const cfgCases: [string, string[], RegExp][] = [
    ['train.learning_rate 1e999 (Infinity)', sft(clean, path.join(tmp, 'o-c')).map((a) => (a === 'smoke' ? path.join(tmp, 'lr-inf.json') : a)), /train\.learning_rate: expected a finite number, found Infinity/],
    ['train.learning_rate 50 (above the bound 1)', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { learning_rate: 50 } }), '--out', path.join(tmp, 'o-c')], /train\.learning_rate: Number must be less than or equal to 1/],
    ['train.steps 1e12', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { steps: 1e12 } }), '--out', path.join(tmp, 'o-c')], /train\.steps: Number must be less than or equal/],
    ['train.seed 1e20', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { seed: 1e20 } }), '--out', path.join(tmp, 'o-c')], /train\.seed/],
    ['lora.rank 1e6', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ mode: 'lora', lora: { rank: 1e6 } }), '--out', path.join(tmp, 'o-c')], /lora\.rank/],
    ['pretrain world_characters 1e9 (was a crash)', ['pretrain', '--config', smokeCfg({ world_characters: 1e9 }), '--out', path.join(tmp, 'o-p')], /world_characters: Number must be less than or equal to 20000/],
    ['pretrain model.n_embd 1e6', ['pretrain', '--config', smokeCfg({ model: { n_embd: 1e6 } }), '--out', path.join(tmp, 'o-p')], /model\.n_embd/],
    ['grpo top_k 1e9', ['grpo', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', smokeCfg({ top_k: 1e9 }), '--out', path.join(tmp, 'o-g')], /top_k/],
    ['eval max_vqa 1e12', ['eval', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', smokeCfg({ max_vqa: 1e12 }), '--out', path.join(tmp, 'r.json')], /max_vqa/],
    ['a config file of passwd lines (not echoed)', ['sft', '--character', A, '--data', clean, '--config', (() => { const f = path.join(tmp, 'passwd.json'); fs.writeFileSync(f, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1\n'); return f; })(), '--out', path.join(tmp, 'o-c')], /not valid JSON \(Unexpected token 'r'\)$/m],
    ['judges train-text --config of passwd lines (not echoed)', ['judges', 'train-text', '--world', synth, '--eval', synth, '--out', path.join(tmp, 'o-tj'), '--config', path.join(tmp, 'passwd.json')], /not valid JSON/],
    ['judges train-text --config is a FIFO', ['judges', 'train-text', '--world', synth, '--eval', synth, '--out', path.join(tmp, 'o-tj'), '--config', path.join(tmp, 'cfg-fifo.json')], /not a regular file/],
    ['config file holding null', ['sft', '--character', A, '--data', clean, '--config', smokeCfg(null as unknown as object), '--out', path.join(tmp, 'o-c')], /expected a JSON object/],
    ['config file holding an array', ['sft', '--character', A, '--data', clean, '--config', smokeCfg([1, 2]), '--out', path.join(tmp, 'o-c')], /expected a JSON object/],
    ['config with an unknown key', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ trian: {} }), '--out', path.join(tmp, 'o-c')], /Unrecognized key/],
    ['batch_size 100000', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { batch_size: 100000 } }), '--out', path.join(tmp, 'o-c')], /train\.batch_size/],
    ['mandatory_t2i above batch_size', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { batch_size: 4, mandatory_t2i: 8 } }), '--out', path.join(tmp, 'o-c')], /mandatory_t2i: 8 is more than train\.batch_size 4/],
    ['all task weights 0', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { mandatory_t2i: 0, task_weights: { roleplay: 0, knowledge: 0, vqa: 0, t2i: 0 } } }), '--out', path.join(tmp, 'o-c')], /task_weights: every task/],
    ['steps -2', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { steps: -2 } }), '--out', path.join(tmp, 'o-c')], /train\.steps/],
    ['steps "abc" in the file', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { steps: 'abc' } }), '--out', path.join(tmp, 'o-c')], /train\.steps/],
    ['min_lr above learning_rate', ['sft', '--character', A, '--data', clean, '--config', smokeCfg({ train: { learning_rate: 1e-4, min_lr: 1e-2 } }), '--out', path.join(tmp, 'o-c')], /min_lr/],
    ['not JSON', ['sft', '--character', A, '--data', clean, '--config', (() => { const f = path.join(tmp, 'bad.json'); fs.writeFileSync(f, 'root:x:0:0:root:/root'); return f; })(), '--out', path.join(tmp, 'o-c')], /not valid JSON/],
    ['config is a folder', ['sft', '--character', A, '--data', clean, '--config', tmp, '--out', path.join(tmp, 'o-c')], /not a regular file/],
    ['grpo temperature 1e-300', ['grpo', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', smokeCfg({ temperature: 1e-300 }), '--out', path.join(tmp, 'o-g')], /temperature/],
    ['grpo learning_rate 1e999', ['grpo', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', path.join(tmp, 'grpo-lr-inf.json'), '--out', path.join(tmp, 'o-g')], /learning_rate: expected a finite number/],
    ['grpo prompts_per_step 5000', ['grpo', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', smokeCfg({ prompts_per_step: 5000 }), '--out', path.join(tmp, 'o-g')], /prompts_per_step/],
    ['grpo prompts_per_step above the prompts there are', ['grpo', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', smokeCfg({ prompts_per_step: 200 }), '--out', path.join(tmp, 'o-g')], /prompts_per_step: 200, but Alneette has \d+/],
    ['eval temperature 1e999', ['eval', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', path.join(tmp, 'eval-inf.json'), '--out', path.join(tmp, 'r.json')], /temperature: expected a finite number/],
    ['eval shots 0 in the file', ['eval', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', smokeCfg({ shots: 0 }), '--out', path.join(tmp, 'r.json')], /shots/],
    ['sft --shots 1000 (more than the images)', sft(clean, path.join(tmp, 'o-c'), '--shots', '1000'), /shots: 1000 .* has 10 valid training images/],
    ['sft --shots abc', sft(clean, path.join(tmp, 'o-c'), '--shots', 'abc'), /option '--shots <k>' argument 'abc' is invalid/],
    ['sft --shots -2', sft(clean, path.join(tmp, 'o-c'), '--shots', '-2'), /--shots/],
    ['grpo --steps abc', ['grpo', '--character', A, '--model', 'x', '--out', path.join(tmp, 'o-g'), '--steps', 'abc'], /option '--steps <n>' argument 'abc' is invalid/],
    ['grpo --steps -2', ['grpo', '--character', A, '--model', 'x', '--out', path.join(tmp, 'o-g'), '--steps', '-2'], /--steps/],
    ['grpo --workers -1', ['grpo', '--character', A, '--model', 'x', '--out', path.join(tmp, 'o-g'), '--workers', '-1'], /--workers must be a whole number >= 0/],
    ['grpo --workers two', ['grpo', '--character', A, '--model', 'x', '--out', path.join(tmp, 'o-g'), '--workers', 'two'], /--workers must be a whole number >= 0/],
    ['grpo workers 1.5 in the file', ['grpo', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', smokeCfg({ workers: 1.5 }), '--out', path.join(tmp, 'o-g')], /workers/],
    ['grpo workers 1000 in the file', ['grpo', '--character', A, '--data', clean, '--model', path.join(root, 'checkpoints', 'base'), '--config', smokeCfg({ workers: 1000 }), '--out', path.join(tmp, 'o-g')], /workers/],
    ['experiment --seeds 0', ['experiment', '--grid', 'demo-smoke', '--out', path.join(tmp, 'o-x'), '--seeds', '0'], /--seeds/],
    ['experiment --characters 0', ['experiment', '--grid', 'demo-smoke', '--data', clean, '--out', path.join(tmp, 'o-x'), '--characters', '0'], /--characters/],
    ['experiment --heldout-judges missing', ['experiment', '--grid', 'demo-smoke', '--data', clean, '--out', path.join(tmp, 'o-x'), '--heldout-judges', path.join(tmp, 'nope')], /--heldout-judges: .*no such folder/],
    ['an unknown option', ['sft', '--character', A, '--out', path.join(tmp, 'o-c'), '--shotz', '3'], /unknown option '--shotz'/],
    ['a required option missing', ['eval', '--character', A, '--out', path.join(tmp, 'r.json')], /required option '--model <dir>'/],
    ['--data is a file', ['sft', '--character', A, '--data', path.join(tmp, 'bad.json'), '--out', path.join(tmp, 'o-c')], /--data: .*not a folder/],
    ['--data does not exist', ['sft', '--character', A, '--data', path.join(tmp, 'nope'), '--out', path.join(tmp, 'o-c')], /--data: .*no such folder/],
  ];
  fs.writeFileSync(path.join(tmp, 'lr-inf.json'), '{"train": {"learning_rate": 1e999}}');
  fs.writeFileSync(path.join(tmp, 'grpo-lr-inf.json'), '{"learning_rate": 1e999}');
  fs.writeFileSync(path.join(tmp, 'eval-inf.json'), '{"temperature": 1e999}');
  for (const [name, args, re] of cfgCases) expect('config', name, await cli(args), 2, re);
  assert.ok(!fs.existsSync(path.join(tmp, 'o-c', 'weights.bin')) && !fs.existsSync(path.join(tmp, 'o-g', 'config.json')), 'a refused run trained nothing');

  // ---- 4. kill -9 in the middle of an SFT run, resume: byte-identical to an unbroken run
  const kcfg = smokeCfg({ train: { steps: 6, batch_size: 4, mandatory_t2i: 1, warmup: 1, log_interval: 1, eval_interval: 100, ckpt_interval: 2 } });
  const whole = path.join(tmp, 'whole');
  expect('kill', 'an unbroken 6-step SFT (reference)', child(['sft', '--character', A, '--data', clean, '--config', kcfg, '--out', whole, '--quiet']), 0);
  const killed = path.join(tmp, 'killed');
  const proc = spawn(process.execPath, [CLI, 'sft', '--character', A, '--data', clean, '--config', kcfg, '--out', killed, '--quiet'], { stdio: 'ignore' });
  const stateStep = () => { try { return JSON.parse(fs.readFileSync(path.join(killed, 'state.json'), 'utf8')).step as number; } catch { return 0; } };
  for (let i = 0; i < 600 && stateStep() < 2 && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 200));
  proc.kill('SIGKILL');
  await new Promise((r) => proc.once('exit', r));
  assert.ok(stateStep() >= 2 && stateStep() < 6, `killed after a checkpoint and before the end (state step ${stateStep()})`);
  fs.mkdirSync(`${killed}.tmp-999999-1`); // what a kill during a save leaves (pid 999999: not running)
  fs.mkdirSync(`${killed}.old-999999-2`);
  const resumed = child(['sft', '--character', A, '--data', clean, '--config', kcfg, '--out', killed, '--quiet']);
  expect('kill', 'resume after kill -9: stale lock taken over, leftovers removed', resumed, 0, /taking over a stale lock[\s\S]*|removed .*\.tmp-999999-1/);
  assert.match(resumed.err, /removed .*killed\.tmp-999999-1/);
  assert.ok(!fs.existsSync(`${killed}.tmp-999999-1`) && !fs.existsSync(`${killed}.old-999999-2`));
  for (const f of ['weights.bin', 'optim.bin', 'state.json']) assert.ok(fs.readFileSync(path.join(whole, f)).equals(fs.readFileSync(path.join(killed, f))), `${f} differs from the unbroken run`);
  const strip = (d: string) => fs.readFileSync(path.join(d, 'history.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => { const r = JSON.parse(l); delete r.ms; return JSON.stringify(r); });
  assert.deepEqual(strip(killed), strip(whole), 'history differs from the unbroken run');
  assert.ok(!fs.existsSync(path.join(killed, '.cmrp.lock')), 'the lock is released at the end');

  // ---- 5. --out ownership
  const foreign = path.join(tmp, 'mine');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'thesis.tex'), 'my work');
  const file = path.join(tmp, 'notes.txt');
  fs.writeFileSync(file, 'keep me');
  const base = path.join(root, 'checkpoints', 'base');
  const own: [string, string[], RegExp][] = [
    ['sft into a folder of the user\'s files', sft(clean, foreign), /not empty and holds no cmrp sft run \(thesis\.tex\)/],
    ['sft --out is a file', sft(clean, file), /is a file, not a folder/],
    ['sft resume as another character', ['sft', '--character', 'Calmaric', '--data', clean, '--config', kcfg, '--out', whole, '--quiet'], /character: Calmaric now, Alneette in the run/],
    ['sft resume with another config', sft(clean, whole), /holds another run \(config\.\w+(\.\w+)*: /],
    ['sft resume from another base', ['sft', '--character', A, '--data', clean, '--config', kcfg, '--out', whole, '--base', path.join(root, 'checkpoints', 'base-dense'), '--quiet'], /base: .*base-dense now/],
    ['grpo into a folder of the user\'s files', ['grpo', '--character', A, '--data', clean, '--model', whole, '--config', 'smoke', '--out', foreign], /not empty and holds no cmrp grpo run/],
    ['grpo into an SFT run', ['grpo', '--character', A, '--data', clean, '--model', whole, '--config', 'smoke', '--out', killed], /kind: grpo now, sft in the folder/],
    ['pretrain into a folder of the user\'s files', ['pretrain', '--config', 'smoke', '--out', foreign, '--world', path.join(tmp, 'world')], /holds no cmrp pretrain run/],
    ['export official into a folder of the user\'s files', ['export', 'official', '--character', A, '--data', clean, '--out', foreign], /holds no cmrp export run/],
    ['export official --out is a file', ['export', 'official', '--character', A, '--data', clean, '--out', file], /is a file/],
    ['data synth --out is a file', ['data', 'synth', '--out', file, '--characters', '1'], /is a file/],
    ['data synth into a folder of the user\'s files', ['data', 'synth', '--out', foreign, '--characters', '1'], /holds no cmrp synth run/],
    ['experiment into a folder of the user\'s files', ['experiment', '--grid', 'demo-smoke', '--data', clean, '--characters', '1', '--out', foreign], /holds no cmrp experiment run/],
    ['judges train into a folder of the user\'s files', ['judges', 'train', '--world', synth, '--eval', synth, '--out', foreign, '--smoke'], /holds no cmrp judges run/],
    ['judges train-real into a folder of the user\'s files', ['judges', 'train-real', '--data', clean, '--out', foreign, '--smoke'], /holds no cmrp judges-real run/],
    ['judges train-text into a folder of the user\'s files', ['judges', 'train-text', '--world', synth, '--eval', synth, '--out', foreign, '--smoke'], /holds no cmrp text-judges run/],
    ['judges train-text --out is a file', ['judges', 'train-text', '--world', synth, '--eval', synth, '--out', file, '--smoke'], /is a file/],
    ['judges train-text with a missing --world (leaves no --out behind)', ['judges', 'train-text', '--world', path.join(tmp, 'no-world'), '--eval', synth, '--out', path.join(tmp, 'o-tj-new'), '--smoke'], /no-world/],
    ['eval --out is a folder', ['eval', '--character', A, '--data', clean, '--model', base, '--config', 'smoke', '--out', foreign], /is a folder; eval report is one file/],
    ['eval --out is the user\'s file', ['eval', '--character', A, '--data', clean, '--model', base, '--config', 'smoke', '--out', file], /exists and is not an eval report/],
  ];
  for (const [name, args, re] of own) expect('out', name, await cli(args), 2, re);
  assert.equal(fs.readFileSync(path.join(foreign, 'thesis.tex'), 'utf8'), 'my work', 'the user\'s file was lost');
  assert.ok(!fs.existsSync(path.join(tmp, 'o-tj-new')), 'a refused judges run left its --out folder');
  assert.equal(fs.readFileSync(file, 'utf8'), 'keep me', 'the user\'s file was lost');
  assert.equal(fs.readdirSync(tmp).filter((n) => /\.(tmp|old)-/.test(n)).length, 0, 'a refused run left a temporary sibling');
  // --force replaces, saying what it removes
  const forced = await cli(['export', 'official', '--character', A, '--data', clean, '--out', foreign, '--force']);
  expect('out', 'export official --force into the user\'s folder says what it removes', forced, 0, /--force: removing 1 file\(s\), 7 B, from .*mine: thesis\.tex/);
  assert.ok(fs.existsSync(path.join(foreign, 'cmrp-export.json')));
  expect('out', 'export official again into its own export', await cli(['export', 'official', '--character', A, '--data', clean, '--out', foreign]), 0);
  expect('out', 'export official as another character into it', await cli(['export', 'official', '--character', 'Calmaric', '--data', clean, '--out', foreign]), 2, /character: Calmaric now, Alneette in the run/);

  // tokenizers fit and notebooks run claim --out as the others do (nothing runs before the claim)
  const theirs = path.join(tmp, 'theirs'); // `foreign` holds an export by now
  fs.mkdirSync(theirs);
  fs.writeFileSync(path.join(theirs, 'thesis.tex'), 'my work');
  const world = path.join(tmp, 'world8');
  expect('out', 'data synth: a small world to fit tokenizers on', await cli(['data', 'synth', '--out', world, '--split', 'world', '--characters', '8']), 0);
  const tokFit = (out: string, ...more: string[]) => ['tokenizers', 'fit', '--world', world, '--out', out, '--no-real', '--codebook', '8', '--iters', '1', '--text-vocab', '300', '--quiet', ...more];
  const ownTok = path.join(tmp, 'my-tokenizers');
  fs.mkdirSync(ownTok);
  fs.copyFileSync(path.join(base, 'tokenizers.json'), path.join(ownTok, 'tokenizers.json')); // the user's own copy: no fit report
  const nbSrc = path.join(root, 'notebooks', '01-dataset-construction.ipynb');
  const nbRun = path.join(tmp, 'nb-run'); // a notebooks run folder holding a user's file of a notebook's name
  fs.mkdirSync(nbRun);
  fs.writeFileSync(path.join(nbRun, '.cmrp-run.json'), JSON.stringify({ format: 'cmrp-run/1', kind: 'notebooks' }));
  fs.copyFileSync(nbSrc, path.join(nbRun, path.basename(nbSrc)));
  const nbCopy = path.join(tmp, 'nb-src', path.basename(nbSrc)); // a notebook inside the --out given
  fs.mkdirSync(path.dirname(nbCopy));
  fs.copyFileSync(nbSrc, nbCopy);
  const claims: [string, string[], RegExp][] = [
    ['tokenizers fit into a folder of the user\'s files', tokFit(theirs), /holds no cmrp tokenizers run \(thesis\.tex\)/],
    ['tokenizers fit --out is a file', tokFit(file), /is a file/],
    ['tokenizers fit over the user\'s own tokenizers.json', tokFit(ownTok), /holds no cmrp tokenizers run \(tokenizers\.json\)/],
    ['tokenizers fit with a missing --world (leaves no --out behind)', [...tokFit(path.join(tmp, 'o-tok-new')).map((a) => (a === world ? path.join(tmp, 'no-world') : a))], /no-world/],
    ['notebooks run into a folder of the user\'s files', ['notebooks', 'run', nbSrc, '--out', theirs], /holds no cmrp notebooks run \(thesis\.tex\)/],
    ['notebooks run --out is a file', ['notebooks', 'run', nbSrc, '--out', file], /is a file/],
    ['notebooks run over the user\'s own file of a notebook\'s name', ['notebooks', 'run', nbSrc, '--out', nbRun], /01-dataset-construction\.ipynb: exists and is not an executed notebook/],
    ['notebooks run --force into the notebook\'s own folder', ['notebooks', 'run', nbCopy, '--out', path.dirname(nbCopy), '--force'], /holds the notebook .*01-dataset-construction\.ipynb/],
  ];
  for (const [name, args, re] of claims) expect('out', name, await cli(args), 2, re);
  assert.equal(fs.readFileSync(path.join(theirs, 'thesis.tex'), 'utf8'), 'my work', 'the user\'s file was lost');
  assert.ok(fs.readFileSync(path.join(ownTok, 'tokenizers.json')).equals(fs.readFileSync(path.join(base, 'tokenizers.json'))), 'the user\'s tokenizers.json was replaced');
  assert.ok(fs.readFileSync(path.join(nbRun, path.basename(nbSrc))).equals(fs.readFileSync(nbSrc)) && fs.readFileSync(nbCopy).equals(fs.readFileSync(nbSrc)), 'a notebook was replaced');
  assert.ok(!fs.existsSync(path.join(tmp, 'o-tok-new')), 'a refused tokenizers fit left its --out folder');
  const tokForced = path.join(tmp, 'mine-tok');
  fs.mkdirSync(tokForced);
  fs.writeFileSync(path.join(tokForced, 'thesis.tex'), 'my work');
  expect('out', 'tokenizers fit --force into the user\'s folder says what it removes', await cli(tokFit(tokForced, '--force')), 0, /--force: removing 1 file\(s\), 7 B, from .*mine-tok: thesis\.tex/);
  expect('out', 'tokenizers fit again into its own folder', await cli(tokFit(tokForced)), 0, /tokenizers: .*tokenizers\.json/);
  const executed = path.join(tmp, 'executed.ipynb'); // what nbclient writes: each code cell's start time
  fs.writeFileSync(executed, JSON.stringify({ nbformat: 4, cells: [{ cell_type: 'code', metadata: { execution: { 'iopub.execute_input': '2026-12-06T00:00:00Z' } }, outputs: [] }] }));
  const copyOk = isExecutedCopy(executed) && !isExecutedCopy(nbSrc);
  rows.push({ n: rows.length + 1, group: 'out', name: 'notebooks run may replace an executed copy, not a notebook saved by hand', code: 0, want: 0, line: `executed copy: ${isExecutedCopy(executed)}, source notebook: ${isExecutedCopy(nbSrc)}`, ok: copyOk });
  assert.ok(copyOk);

  // ---- 5b. --force never empties the file-system root, home, the working directory or above it, the project.
  // Through the CLI only where a failing guard would empty temp folders (a home, a working directory
  // and a project root of known contents, via HOME, chdir and CMRP_ROOT); `/` and the real project are
  // asked of the guard itself, so that a broken guard can never remove them.
  const home = path.join(tmp, 'home');
  const work = path.join(home, 'work');
  const proj = path.join(tmp, 'proj', 'lab');
  for (const d of [work, proj]) fs.mkdirSync(d, { recursive: true });
  for (const f of [path.join(home, 'diary.txt'), path.join(work, 'draft.txt'), path.join(proj, 'package.json')]) fs.writeFileSync(f, '{"name": "cmrp-lab"}');
  fs.symlinkSync(home, path.join(tmp, 'home-link'));
  const saved = { HOME: process.env.HOME, CMRP_ROOT: process.env.CMRP_ROOT, cwd: process.cwd() };
  const dangers: [string, string[], RegExp][] = [
    ['export official --out ~ --force', ['export', 'official', '--character', A, '--data', clean, '--out', home, '--force'], /refused, it is your home folder; --force never empties it/],
    ['data synth --out <a link to home> --force', ['data', 'synth', '--out', path.join(tmp, 'home-link'), '--characters', '1', '--force'], /refused, it is your home folder/],
    ['tokenizers fit --out . --force', tokFit('.', '--force'), /--out \.: refused, it is the current working directory/],
    ['sft --out <an ancestor of the working directory> --force', [...sft(clean, path.join(tmp, 'home', '..')), '--base', base, '--force'], /refused, it holds the current working directory/],
    ['notebooks run --out <the project> --force', ['notebooks', 'run', nbCopy, '--out', proj, '--force'], /refused, it is the cmrp-lab project folder/],
    ['judges train-text --out <above the project> --force', ['judges', 'train-text', '--world', synth, '--eval', synth, '--out', path.dirname(proj), '--smoke', '--force'], /refused, it holds the cmrp-lab project folder/],
    ['export official --out ~ (no --force offered)', ['export', 'official', '--character', A, '--data', clean, '--out', home], /refused, it is your home folder; choose a new folder for --out$/m],
  ];
  try {
    process.env.HOME = home; // os.homedir() reads it
    process.env.CMRP_ROOT = proj; // projectRoot() reads it
    process.chdir(work);
    for (const [name, args, re] of dangers) expect('force', name, await cli(args), 2, re);
  } finally {
    for (const k of ['HOME', 'CMRP_ROOT'] as const) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    process.chdir(saved.cwd);
  }
  assert.ok([path.join(home, 'diary.txt'), path.join(work, 'draft.txt'), path.join(proj, 'package.json')].every((f) => fs.existsSync(f)), 'a dangerous --out was emptied');
  process.chdir(work); // away from the project, so that its own check answers
  try {
    for (const [name, dir, re] of [['/', '/', /root of the file system/], ['the real project', root, /is the cmrp-lab project folder/], ['above the real project', path.dirname(root), /holds the cmrp-lab project folder/]] as const) {
      const why = dangerousOut(dir) ?? '';
      rows.push({ n: rows.length + 1, group: 'force', name: `the guard refuses ${name}`, code: why ? 2 : 0, want: 2, line: why, ok: re.test(why) });
      assert.match(why, re);
    }
  } finally {
    process.chdir(saved.cwd);
  }
  assert.equal(dangerousOut(path.join(tmp, 'mine-tok')), null, 'an ordinary folder is not dangerous');

  // ---- 6. concurrent runs: a live holder refuses, a dead one is taken over
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  fs.writeFileSync(path.join(whole, '.cmrp.lock'), JSON.stringify({ pid: sleeper.pid, host: os.hostname(), started: 'now' }));
  expect('lock', 'a second run on a locked --out names the holder', await cli(['sft', '--character', A, '--data', clean, '--config', kcfg, '--out', whole, '--quiet']), 2, new RegExp(`in use by another cmrp run \\(pid ${sleeper.pid}`));
  sleeper.kill('SIGKILL');
  await new Promise((r) => sleeper.once('exit', r));
  const takeover = await cli(['sft', '--character', A, '--data', clean, '--config', kcfg, '--out', whole, '--quiet']);
  expect('lock', 'a lock of a dead process is taken over (finished run: nothing to train)', takeover, 0, /taking over a stale lock of pid/);

  // ---- 7. history and model folders damaged
  fs.appendFileSync(path.join(whole, 'history.jsonl'), '{"step": 7, "lo');
  const torn = await cli(['sft', '--character', A, '--data', clean, '--config', kcfg, '--out', whole, '--quiet']);
  expect('files', 'a torn last history line is dropped and said', torn, 0, /dropped a torn last line/);
  for (const l of fs.readFileSync(path.join(whole, 'history.jsonl'), 'utf8').split('\n').filter(Boolean)) JSON.parse(l); // the torn line is gone
  const broken = path.join(tmp, 'broken-history');
  fs.cpSync(whole, broken, { recursive: true });
  fs.writeFileSync(path.join(broken, 'history.jsonl'), '{"step":1}\nnot json\n{"step":2}\n');
  expect('files', 'a damaged history line in the middle is named', await cli(['sft', '--character', A, '--data', clean, '--config', kcfg, '--out', broken, '--quiet']), 2, /history\.jsonl: line 2: not a JSON row/);
  const noBin = path.join(tmp, 'no-bin');
  fs.cpSync(whole, noBin, { recursive: true });
  fs.rmSync(path.join(noBin, 'weights.bin'));
  expect('files', 'eval of a model folder without weights.bin', await cli(['eval', '--character', A, '--data', clean, '--model', noBin, '--config', 'smoke', '--out', path.join(tmp, 'r1.json')]), 2, /weights\.bin: missing/);
  const badManifest = path.join(tmp, 'bad-manifest');
  fs.cpSync(whole, badManifest, { recursive: true });
  fs.writeFileSync(path.join(badManifest, 'weights.json'), '[{"name": 3}]');
  expect('files', 'eval of a model with a garbled weights.json', await cli(['eval', '--character', A, '--data', clean, '--model', badManifest, '--config', 'smoke', '--out', path.join(tmp, 'r2.json')]), 2, /weights\.json: \[0\]: expected/);
  expect('files', 'eval of a model folder that does not exist', await cli(['eval', '--character', A, '--data', clean, '--model', path.join(tmp, 'none'), '--config', 'smoke', '--out', path.join(tmp, 'r3.json')]), 2, /none/);
  assert.ok(!fs.existsSync(path.join(tmp, 'r1.json')) && !fs.readdirSync(tmp).some((n) => n.startsWith('r1.json.tmp')), 'a failed eval left a report or a .tmp');

  // ---- 8. NaN: a model with a non-finite weight is refused by eval; a trainer stops at the first NaN step and saves nothing
  const nan = path.join(tmp, 'nan-model');
  fs.cpSync(whole, nan, { recursive: true });
  const bin = fs.readFileSync(path.join(nan, 'weights.bin'));
  bin.writeFloatLE(NaN, 4 * 100);
  fs.writeFileSync(path.join(nan, 'weights.bin'), bin);
  expect('nan', 'eval of a model with a NaN weight', await cli(['eval', '--character', A, '--data', clean, '--model', nan, '--config', 'smoke', '--out', path.join(tmp, 'r4.json')]), 2, /non-finite value/);
  expect('nan', 'sft resumed on a NaN checkpoint', await cli(['sft', '--character', A, '--data', clean, '--config', kcfg, '--out', nan, '--quiet']), 2, /non-finite value/);
  const run = await prepareSft(resolveSftConfig(kcfg), { baseDir: base, dataDir: clean, character: A, outDir: path.join(tmp, 'nan-run') });
  const [name0, v0] = [...run.model.params][0];
  v0.assign(tf.fill(v0.shape, NaN));
  let stop = '';
  await run.trainer.run(1).catch((e: Error) => (stop = e.message));
  rows.push({ n: rows.length + 1, group: 'nan', name: `SFT with ${name0} poisoned by NaN stops at step 1`, code: stop ? 2 : 0, want: 2, line: stop.slice(0, 110), ok: /^step 1: the training loss is NaN/.test(stop) });
  assert.match(stop, /^step 1: the training loss is NaN \(not finite\): the run diverged; likely cause: .*; stopped, nothing was saved/);
  assert.ok(!fs.existsSync(path.join(tmp, 'nan-run', 'weights.bin')), 'a diverged run saved weights');
  let saveErr = '';
  await saveCheckpoint(whole, run.model, run.tok).catch((e: Error) => (saveErr = e.message));
  rows.push({ n: rows.length + 1, group: 'nan', name: 'saveCheckpoint of a NaN model over a good one', code: saveErr ? 2 : 0, want: 2, line: saveErr.slice(0, 110), ok: /refusing to save/.test(saveErr) });
  assert.match(saveErr, /refusing to save: .* non-finite value/);
  assert.ok(fs.readFileSync(path.join(whole, 'weights.bin')).equals(fs.readFileSync(path.join(killed, 'weights.bin'))), 'the good checkpoint was touched');
  run.model.dispose();
  // GRPO: a policy whose final norm is NaN stops at step 1, before anything is saved
  const grpoOut = path.join(tmp, 'nan-grpo');
  const g = await prepareGrpo(resolveGrpoConfig('smoke', { steps: 2 }), { modelDir: base, dataDir: clean, character: A, outDir: grpoOut, judgesDir: path.join(root, 'checkpoints', 'judges') });
  const ln = [...g.parts.model.params].find(([k]) => k.startsWith('ln_f'))!;
  ln[1].assign(tf.fill(ln[1].shape, NaN));
  let gStop = '';
  await g.run(1).catch((e: Error) => (gStop = e.message));
  rows.push({ n: rows.length + 1, group: 'nan', name: `GRPO with ${ln[0]} poisoned by NaN stops at step 1`, code: gStop ? 2 : 0, want: 2, line: gStop.slice(0, 110), ok: /^step 1: the (policy loss|mean reward|gradient norm) is NaN/.test(gStop) && !fs.existsSync(path.join(grpoOut, 'weights.bin')) });
  assert.match(gStop, /^step 1: the (policy loss|mean reward|gradient norm) is NaN \(not finite\): the run diverged/);
  assert.ok(!fs.existsSync(path.join(grpoOut, 'weights.bin')), 'a diverged GRPO run saved weights');
  g.parts.judges.dispose();
  g.parts.model.dispose();

  // ---- 9. the experiment cache keys the data's content; reports escape names
  const keyed = corrupted('cache', () => {});
  const k0 = dataContentHash(keyed);
  fs.writeFileSync(path.join(keyed, 'train', A, `${A}_knowledge_qa.json`), '[]');
  const k1 = dataContentHash(keyed);
  fs.rmSync(path.join(keyed, 'train', A, '5.png'));
  const k2 = dataContentHash(keyed);
  rows.push({ n: rows.length + 1, group: 'cache', name: 'data content key changes on an emptied knowledge file and a deleted PNG', code: 0, want: 0, line: `${k0} -> ${k1} -> ${k2}`, ok: new Set([k0, k1, k2]).size === 3 });
  assert.equal(new Set([k0, k1, k2]).size, 3);
  const hostile = 'x | y <script>alert(1)</script> `z` [l](http://e)';
  const md = markdownReport({ format: RESULTS_FORMAT, grid: 'g`', command: 'c\n# h', characters: [hostile], seeds: 1, methods: [hostile], cells: [], seconds: 0, finished: 'now' });
  const okMd = !md.includes('<script>') && !/(^|[^\\])\]\(http/m.test(md) && !/\n# h/.test(md) && !md.split('\n').some((l) => l.startsWith('| x | y'));
  rows.push({ n: rows.length + 1, group: 'report', name: 'report.md escapes hostile method and character names', code: 0, want: 0, line: md.split('\n').find((l) => l.includes('script')) ?? '', ok: okMd });
  assert.ok(okMd, md);

  // ---- 10. CLI basics
  expect('cli', '--version', await cli(['--version']), 0, /\d+\.\d+\.\d+/);
  const help = await cli(['sft', '--help']);
  expect('cli', 'sft --help marks required options', help, 0, /--character <name>.*\(required\)/);
  const validate = child(['data', 'validate', clean, '-q']);
  expect('cli', 'data validate does not start the compute backend', validate, 0, /OK: no errors/);
  assert.ok(!/backend:/.test(validate.err), 'data validate started the backend');
  expect('cli', 'a character by folder name (sft, resumed run)', await cli(['sft', '--character', 'alneette', '--data', clean, '--config', kcfg, '--out', whole, '--quiet', '--json']), 0, /"character":"Alneette"/);

  assert.equal(hashTree(clean), cleanHash, 'the clean dataset changed');
  // the table
  const table = ['| # | group | case | exit (expected) | message |', '| --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r.n} | ${r.group} | ${r.name} | ${r.code} (${r.want})${r.ok ? '' : ' FAIL'} | ${r.line.replace(/\|/g, '\\|')} |`)];
  console.log(table.join('\n'));
  const groups = [...new Set(rows.map((r) => r.group))].map((g) => `${g} ${rows.filter((r) => r.group === g).length}`).join(', ');
  console.log(`${rows.length} cases (${groups}), ${rows.filter((r) => r.want !== 0).length} of them refused inputs; ${rows.filter((r) => r.ok).length} as expected; 0 stack traces, 0 hangs, 0 user files lost (each asserted above)`);
  assert.ok(rows.length >= 60, `only ${rows.length} cases`);
  assert.ok(rows.every((r) => r.ok));
});
