/**
 * kill -9 in the middle of a GRPO run, then the same command again: the resumed run ends with the
 * checkpoint an unbroken run writes (weights, optimizer, state and history byte for byte, timings
 * aside). The built CLI runs in child processes, since a kill of the process is the point (the
 * in-process resume test in grpo.test.ts cannot lose what a kill loses: an unfinished save, the lock).
 * The smoke config (3 steps, a checkpoint every step) on one worker keeps it short and deterministic.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ensureSynthDataset } from '../src/data/synth';
import { projectRoot } from '../src/util/paths';
import { tempDir } from './synth-helpers';

const root = projectRoot();
const CLI = path.join(root, 'dist', 'src', 'cli', 'main.js');
const synth = path.join(root, 'data', 'synth');
const tmp = tempDir('grpo-kill');
const STEPS = 3; // the smoke preset's

const grpo = (out: string) => [CLI, 'grpo', '--character', 'Alneette', '--data', synth, '--model', path.join(root, 'checkpoints', 'base'), '--config', 'smoke', '--workers', '1', '--out', out, '--quiet'];

function run(out: string): void {
  const r = spawnSync(process.execPath, grpo(out), { encoding: 'utf8', timeout: 15 * 60_000 });
  assert.equal(r.status, 0, `grpo --out ${out} exited ${r.status}\n${r.stderr}`);
}

const savedStep = (dir: string): number => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).step as number;
  } catch {
    return 0; // not saved yet, or being replaced
  }
};

/** History rows without their timings (`ms`, `ms_sample`, ...), which differ from run to run. */
const history = (dir: string): string[] =>
  fs.readFileSync(path.join(dir, 'grpo_history.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(l)).filter(([k]) => !k.startsWith('ms')))));

test('GRPO killed with SIGKILL after a checkpoint resumes to the checkpoint of an unbroken run', { timeout: 40 * 60_000 }, async () => {
  await ensureSynthDataset({ dir: synth, seed: 0 });
  const whole = path.join(tmp, 'whole');
  run(whole);
  assert.equal(savedStep(whole), STEPS);

  const killed = path.join(tmp, 'killed');
  const proc = spawn(process.execPath, grpo(killed), { stdio: 'ignore' });
  for (let i = 0; i < 6000 && savedStep(killed) < 1 && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  proc.kill('SIGKILL');
  await new Promise((r) => proc.once('exit', r));
  const at = savedStep(killed);
  assert.ok(at >= 1 && at < STEPS, `killed after a checkpoint and before the end (saved step ${at})`);
  assert.ok(fs.existsSync(path.join(killed, '.cmrp.lock')), 'the kill left its lock (taken over by the resume)');

  run(killed);
  for (const f of ['weights.bin', 'optim.bin', 'state.json']) {
    assert.ok(fs.readFileSync(path.join(whole, f)).equals(fs.readFileSync(path.join(killed, f))), `${f} differs from the unbroken run (killed at step ${at})`);
  }
  assert.deepEqual(history(killed), history(whole), 'history differs from the unbroken run');
  assert.equal(history(killed).length, STEPS, 'one history row a step, none twice');
  assert.ok(!fs.existsSync(path.join(killed, '.cmrp.lock')), 'the lock is released at the end');
  assert.deepEqual(fs.readdirSync(tmp).filter((n) => /\.(tmp|old)-/.test(n)), [], 'a temporary sibling was left');
});
