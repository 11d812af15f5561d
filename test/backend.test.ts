import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { initBackend, DEFAULT_LOADERS, BackendLoader, BackendName } from '../src/backend/select';
import { UserError } from '../src/util/errors';

const fail = (why: string): BackendLoader => async () => {
  throw new Error(why);
};
const ok = (tfjsName: string): BackendLoader => async () => tfjsName;

function loaders(over: Partial<Record<BackendName, BackendLoader>>): Record<BackendName, BackendLoader> {
  return { 'tensorflow-gpu': fail('no gpu'), tensorflow: fail('no libtensorflow'), wasm: fail('no wasm'), cpu: ok('cpu'), ...over };
}

test('falls back in order: tensorflow-gpu, tensorflow, wasm, cpu', async () => {
  const a = await initBackend({ reset: true, forced: '', loaders: loaders({ wasm: ok('wasm') }) });
  assert.equal(a.name, 'wasm');
  assert.deepEqual(a.skipped, ['tensorflow-gpu: no gpu', 'tensorflow: no libtensorflow']);
  const b = await initBackend({ reset: true, forced: '', loaders: loaders({}) });
  assert.equal(b.name, 'cpu');
  assert.equal(b.skipped.length, 3);
  const c = await initBackend({ reset: true, forced: '', loaders: loaders({ 'tensorflow-gpu': ok('tensorflow'), wasm: ok('wasm') }) });
  assert.equal(c.name, 'tensorflow-gpu');
});

test('CMRP_BACKEND forces one backend and refuses to fall back silently', async () => {
  const a = await initBackend({ reset: true, forced: 'cpu', loaders: loaders({ wasm: ok('wasm') }) });
  assert.equal(a.name, 'cpu');
  await assert.rejects(initBackend({ reset: true, forced: 'tensorflow', loaders: loaders({}) }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match((e as Error).message, /CMRP_BACKEND=tensorflow was forced but cannot load: no libtensorflow/);
    return true;
  });
  await assert.rejects(initBackend({ reset: true, forced: 'gpu', loaders: loaders({}) }), /not a backend; expected one of tensorflow-gpu, tensorflow, wasm, cpu/);
});

test('no backend at all is an error listing why each was skipped', async () => {
  await assert.rejects(initBackend({ reset: true, forced: '', loaders: loaders({ cpu: fail('broken') }) }), /no compute backend could load[\s\S]*cpu: broken/);
});

test("danfojs-node's pure-JS stand-in for @tensorflow/tfjs-node is not taken for the native backend", async () => {
  // Our package.json overrides danfojs-node's tfjs-node 3.x with pure-JS @tensorflow/tfjs; where no
  // real tfjs-node is installed, the `tensorflow` loader must refuse it.
  let realNative = false;
  try {
    realNative = (require('@tensorflow/tfjs-node/package.json') as { name: string }).name === '@tensorflow/tfjs-node';
  } catch {
    /* not installed at all */
  }
  if (realNative) return; // a machine with real libtensorflow: nothing to check here
  await assert.rejects(DEFAULT_LOADERS.tensorflow(), /not the native binding|Cannot find module/);
});

test('the default order activates a real backend that computes', async () => {
  const info = await initBackend({ reset: true, forced: '' });
  assert.ok(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(info.name));
  const tf = await import('@tensorflow/tfjs-core');
  assert.equal(tf.getBackend(), info.tfjsBackend);
  assert.deepEqual(Array.from(tf.add(tf.tensor1d([1, 2]), tf.scalar(1)).dataSync()), [2, 3]);
});
