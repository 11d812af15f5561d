/** Backend honesty: tensorflow-gpu only when the tfjs-node binding reports a GPU device (stubs). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkGpuDevice, initBackend, BackendLoader, BackendName } from '../src/backend/select';

test('checkGpuDevice: a GPU device passes; CPU-only or silent bindings are refused, saying why', () => {
  checkGpuDevice({ isUsingGpuDevice: true });
  assert.throws(() => checkGpuDevice({ isUsingGpuDevice: false }), /reports no GPU device \(it would run on the CPU\)/);
  assert.throws(() => checkGpuDevice({}), /does not report its device/);
  assert.throws(() => checkGpuDevice(null), /does not report its device/);
});

test('a tfjs-node-gpu running on the CPU is skipped for the next backend, with the reason recorded', async () => {
  const stubBackend = (gpu: boolean): BackendLoader => async () => {
    checkGpuDevice({ isUsingGpuDevice: gpu });
    return 'tensorflow';
  };
  const rest: Record<Exclude<BackendName, 'tensorflow-gpu'>, BackendLoader> = {
    tensorflow: async () => 'tensorflow',
    wasm: async () => 'wasm',
    cpu: async () => 'cpu',
  };
  const cpuOnly = await initBackend({ reset: true, forced: '', loaders: { 'tensorflow-gpu': stubBackend(false), ...rest } });
  assert.equal(cpuOnly.name, 'tensorflow');
  assert.match(cpuOnly.skipped[0], /^tensorflow-gpu: .*reports no GPU device/);
  const gpu = await initBackend({ reset: true, forced: '', loaders: { 'tensorflow-gpu': stubBackend(true), ...rest } });
  assert.equal(gpu.name, 'tensorflow-gpu');
  assert.deepEqual(gpu.skipped, []);
});
