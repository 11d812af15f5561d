import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatBench, median, BenchResult } from '../src/model/bench';
import { torchReference, torchRequirements } from '../src/model/bench-torch';

test('bench helpers: median, torch unavailable is reported, the table names every number', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const t = torchReference('/usr/bin/python3', 1, '/nonexistent/torch_tiny.py');
  assert.equal(t.ms, null);
  assert.match(t.note, /not found/);
  const r: BenchResult = {
    backend: 'wasm', tfjs: '4.22.0', steps: 10, warmup: 10, reference_step_ms: 150, reference_step_cpu_ms: 149, train_step_ms: 900, train_tokens_per_s: 2200,
    sample_tokens_per_s: 600, sample_tokens_per_s_no_cache: 130, peak_rss_mb: 500, torch_reference_step_ms: 75, torch_reference_step_ms_2threads: 50,
    ratio_to_torch: 2, torch_note: 'torch 2.13.0+cpu', base_params: 1, load_avg: [0.1, 0.2],
    setup: { reference: { batch: 16, seq_len: 64, lr: 1e-3 }, base: { n_layer: 4, n_embd: 128, batch: 8, seq_len: 256, text_vocab: 1024, image_from: 128 }, sample: { batch: 4, prompt_len: 16, new_tokens: 64 } },
  };
  const table = formatBench(r);
  for (const s of ['median of 10 after 10 untimed', '150.0 ms', '900.0 ms', '2200 tokens/s', '600.0 tokens/s', '130.0 tokens/s', '500 MB', '75.0 ms / 50.0 ms', '2.00x']) assert.ok(table.includes(s), `table lacks ${s}:\n${table}`);
  const par = formatBench({ ...r, workers: 2, reference_step_ms_workers: 80, train_step_ms_workers: 500, train_tokens_per_s_workers: 4000, ratio_to_torch_2: 1.6 });
  for (const s of ['reference step, 2 workers', '80.0 ms', '1.60x', '4000 tokens/s (1.82x one worker)']) assert.ok(par.includes(s), `table lacks ${s}:\n${par}`);
  // the one-worker step timed in turns with the workers', and CPU per thread
  const turns = formatBench({
    ...r, workers: 2, reference_step_ms_workers: 80, train_step_ms_workers: 500, train_tokens_per_s_workers: 4000,
    reference_step_ms_one_in_turns: 120, train_step_ms_one_in_turns: 850, reference_speedup_workers: 1.5, train_speedup_workers: 1.7,
    train_step_thread_cpu_ms: 800, train_step_thread_cpu_workers: { main: 420, worker: 410, max: 425 }, train_cpu_scaling_workers: 1.88,
  });
  for (const s of ['850.0 ms / 500.0 ms (1.70x; reference step 1.50x)', 'main 420.0 ms, busiest worker 410.0 ms (1.88x']) assert.ok(turns.includes(s), `table lacks ${s}:\n${turns}`);
  assert.match(formatBench({ ...r, torch_reference_step_ms: null, torch_reference_step_ms_2threads: null, ratio_to_torch: null, torch_note: 'no venv' }), /unavailable: no venv/);
});

test('torch yardstick: requirements pin PyTorch 2.x, the thread count reaches the script', () => {
  const req = torchRequirements();
  assert.ok(req.some((r) => /^torch==2\./.test(r)), `no torch 2.x pin in ${req}`);
  // a stand-in torch_tiny.py that prints the thread count the wrapper set on a stand-in torch module
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-torch-'));
  const script = path.join(dir, 'tiny.py');
  fs.writeFileSync(script, 'import torch\nprint(f"torch 9.9 threads {torch.n} median step ms 12.5")\n');
  const py = path.join(dir, 'python');
  // a fake interpreter: runs python3 with a fake torch module on the path
  fs.mkdirSync(path.join(dir, 'mods'));
  fs.writeFileSync(path.join(dir, 'mods', 'torch.py'), 'n = 1\ndef set_num_threads(k):\n    global n\n    n = k\n');
  fs.writeFileSync(py, `#!/bin/sh\nPYTHONPATH=${path.join(dir, 'mods')} exec python3 "$@"\n`, { mode: 0o755 });
  for (const n of [1, 2]) {
    const run = torchReference(py, n, script);
    assert.deepEqual([run.ms, run.version, run.note], [12.5, '9.9', `torch 9.9, ${n} thread(s)`]);
  }
  fs.writeFileSync(script, 'import torch\nprint("torch 9.9 threads 3 median step ms 12.5")\n');
  assert.match(torchReference(py, 1, script).note, /asked for 1 thread\(s\), torch ran 3/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('profileSteps: counts each outermost kernel once per step, names matMul shapes, restores the kernels', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('../src/backend/select');
  const { profileSteps, formatProfile } = await import('../src/model/profile');
  await initBackend();
  const before = tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelFunc);
  const a = tf.randomNormal([8, 4]), b = tf.randomNormal([4, 3]);
  const p = profileSteps(() => tf.tidy(() => void tf.relu(tf.matMul(a, b)).dataSync()), 3, 1);
  const mm = p.rows.find((r) => r.op === 'BatchMatMul [1,8,4]x[1,4,3]' || r.op === 'BatchMatMul [8,4]x[4,3]');
  assert.ok(mm, p.rows.map((r) => r.op).join(', '));
  assert.equal(mm!.calls, 1);
  assert.equal(p.rows.find((r) => r.op === 'Relu')?.calls, 1);
  assert.ok(p.rows.some((r) => r.op === '(outside kernels)'));
  assert.deepEqual(tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelFunc), before);
  assert.match(formatProfile('tiny', p), /^tiny: [\d.]+ ms per step \(CPU [\d.]+ ms\), 3 profiled steps\nop +calls/);
  tf.dispose([a, b]);
});
