/**
 * The one tensor-file format (src/util/tensor-file.ts): tensors round-trip bit for bit; every way
 * a manifest and its binary file can disagree is one UserError line naming the file, the field and
 * the expectation; a legacy byte-offset manifest is read the same (with one notice) and converted
 * without touching its .bin; and the committed checkpoints, read through their loaders, hold
 * exactly the bytes their files (and the judges' recorded sha256) say.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../src/backend/select';
import { UserError } from '../src/util/errors';
import { resetDeprecationNotices, setDeprecationLog } from '../src/util/deprecated-keys';
import { projectRoot } from '../src/util/paths';
import {
  NamedTensor, NonFiniteError, TENSOR_MANIFEST_FORMAT, convertTensorManifest, packTensors, readTensorFile, readTensorFiles, writeTensorFile, writeTensorFiles,
} from '../src/util/tensor-file';
import { loadCheckpoint, namedTensors } from '../src/model/checkpoint';
import { baseFingerprint } from '../src/model/adapter';
import { loadJudges } from '../src/judges';
import { paramsSha256, readJudge } from '../src/judges/core/checkpoint';
import { tempDir } from './synth-helpers';

const tmp = tempDir('tensor-file');
const sha = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

/** Values a float32 file must keep exactly: signed zero, a subnormal, extremes, a non-round value. */
const tensors: NamedTensor[] = [
  { name: 'a', shape: [2, 3], data: Float32Array.from([0, -0, 1.401298464324817e-45, 3.4028234663852886e38, -1.5, Math.PI]) },
  { name: 'b.bias', shape: [4], data: Float32Array.from([1, 2, 3, 4]) },
  { name: 'scalar', shape: [], data: Float32Array.from([7]) },
  { name: 'empty', shape: [0, 5], data: new Float32Array(0) },
];
const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const expectUser = (f: () => unknown, re: RegExp): void =>
  assert.throws(f, (e: unknown) => e instanceof UserError && re.test((e as Error).message) && !(e as Error).message.includes('\n'), `expected one UserError line matching ${re}`);

/** Notices printed while `fn` runs. */
function notices(fn: () => void): string[] {
  const lines: string[] = [];
  resetDeprecationNotices();
  const was = setDeprecationLog((l) => lines.push(l));
  try {
    fn();
  } finally {
    setDeprecationLog(was);
    resetDeprecationNotices();
  }
  return lines;
}

test('tensors round-trip bit for bit; offsets count float32 values', () => {
  const dir = path.join(tmp, 'round');
  fs.mkdirSync(dir, { recursive: true });
  writeTensorFiles(dir, 'weights', tensors);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'weights.json'), 'utf8'));
  assert.equal(manifest.format, TENSOR_MANIFEST_FORMAT);
  assert.deepEqual(manifest.tensors.map((e: { offset: number }) => e.offset), [0, 6, 10, 11]);
  assert.equal(fs.statSync(path.join(dir, 'weights.bin')).size, 11 * 4);
  const read = readTensorFiles(dir, 'weights', { expected: new Map(tensors.map((t) => [t.name, t.shape])) });
  assert.deepEqual([...read.keys()], tensors.map((t) => t.name));
  for (const t of tensors) {
    assert.deepEqual(read.get(t.name)!.shape, t.shape);
    assert.deepEqual(bits(read.get(t.name)!.data), bits(t.data), t.name);
  }
  // the embedded form (a judge's params, the text judges' tensors) is the same entries and file
  const { entries, values, sha256 } = writeTensorFile(path.join(dir, 'embedded.bin'), tensors);
  assert.deepEqual(entries, manifest.tensors);
  assert.equal(values, 11);
  assert.equal(sha256, sha(fs.readFileSync(path.join(dir, 'embedded.bin'))));
  assert.ok(fs.readFileSync(path.join(dir, 'embedded.bin')).equals(fs.readFileSync(path.join(dir, 'weights.bin'))));
  const again = readTensorFile(path.join(dir, 'embedded.bin'), entries, { manifest: path.join(dir, 'judge.json'), field: 'params' }, { sha256 });
  assert.deepEqual(bits(again.get('a')!.data), bits(tensors[0].data));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['embedded.bin', 'weights.bin', 'weights.json'], 'no temporary file left behind');
});

test('a non-finite value is refused on writing (nothing written) and on reading', () => {
  const dir = path.join(tmp, 'nan');
  fs.mkdirSync(dir, { recursive: true });
  assert.throws(() => writeTensorFile(path.join(dir, 'w.bin'), [{ name: 'x', shape: [2], data: Float32Array.from([1, NaN]) }]), (e: unknown) => e instanceof NonFiniteError && /refusing to save: x holds 1 non-finite value/.test((e as Error).message));
  assert.deepEqual(fs.readdirSync(dir), []);
  const { entries } = writeTensorFile(path.join(dir, 'w.bin'), tensors);
  const b = fs.readFileSync(path.join(dir, 'w.bin'));
  b.writeFloatLE(Infinity, 4 * 7);
  fs.writeFileSync(path.join(dir, 'w.bin'), b);
  assert.throws(() => readTensorFile(path.join(dir, 'w.bin'), entries, { manifest: 'm.json', field: 'params' }), (e: unknown) => e instanceof NonFiniteError && /w\.bin: tensor "b\.bias" holds 1 non-finite value\(s\) .*first at element 1/.test((e as Error).message));
});

test('a malformed manifest or a file that disagrees with it is one UserError line naming file and field', () => {
  const dir = path.join(tmp, 'bad');
  fs.mkdirSync(dir, { recursive: true });
  const bin = path.join(dir, 'w.bin');
  const { entries, sha256 } = writeTensorFile(bin, tensors);
  const at = { manifest: path.join(dir, 'judge.json'), field: 'params' };
  const read = (list: unknown, opts = {}) => () => readTensorFile(bin, list, at, opts);
  const edit = (i: number, e: Record<string, unknown>) => entries.map((x, k) => (k === i ? { ...x, ...e } : x));
  expectUser(read({ a: 1 }), /judge\.json: params: expected a list of tensor entries/);
  expectUser(read(edit(1, { name: 3 })), /judge\.json: params\[1\]: expected \{name: a string, shape: \[whole numbers\], offset: a whole number of float32 values\}/);
  expectUser(read(edit(0, { shape: [2, -3] })), /judge\.json: params\[0\]: expected/);
  expectUser(read(edit(2, { offset: 1.5 })), /judge\.json: params\[2\]: expected/);
  expectUser(read(edit(1, { name: 'a' })), /judge\.json: params\[1\]: tensor "a" is listed twice/);
  expectUser(read(edit(1, { offset: 5 })), /judge\.json: params: "a" \(values 0\.\.6\) overlaps "b\.bias" \(from 5\)/);
  expectUser(read(edit(2, { offset: 11 })), /judge\.json: params: "scalar" spans float32 values 11\.\.12, past the end of w\.bin \(11 values\)/);
  expectUser(read(edit(1, { shape: [5] })), /w\.bin: expected 48 bytes \(the 12 float32 values judge\.json params lists\), found 44/);
  expectUser(read(entries, { sha256: '0'.repeat(64) }), /w\.bin: sha256 [0-9a-f]{12}… does not match judge\.json's 000000000000…/);
  const expected = new Map(tensors.map((t) => [t.name, t.shape]));
  expectUser(read(entries, { expected: new Map([...expected, ['a', [3, 2]]]), source: 'its config' }), /judge\.json: params: "a"\.shape: expected \[3,2\] \(what its config builds\), found \[2,3\]/);
  expectUser(read(entries, { expected: new Map([...expected, ['c', [1]]]) }), /judge\.json: params: no tensor "c" \[1\], which the config builds/);
  expectUser(read(entries, { expected: new Map([...expected].slice(1)) }), /judge\.json: params: 1 tensor\(s\) the config does not build: "a"/);
  assert.equal(readTensorFile(bin, entries, at, { sha256 }).size, 4);
  // truncated or missing binary file
  fs.writeFileSync(path.join(dir, 'short.bin'), fs.readFileSync(bin).subarray(0, 20));
  expectUser(() => readTensorFile(path.join(dir, 'short.bin'), entries, at), /short\.bin: expected 44 bytes .* found 20 \(truncated/);
  expectUser(() => readTensorFile(path.join(dir, 'none.bin'), entries, at), /none\.bin: missing \(judge\.json lists its tensors\)/);
  // standalone manifests: not JSON, another format, not an object, missing
  writeTensorFiles(dir, 'weights', tensors);
  const mf = path.join(dir, 'weights.json');
  const good = fs.readFileSync(mf, 'utf8');
  fs.writeFileSync(mf, good.slice(0, 30));
  expectUser(() => readTensorFiles(dir, 'weights'), /weights\.json: cannot read the tensor manifest: not valid JSON/);
  fs.writeFileSync(mf, JSON.stringify({ format: 'cmrp-tensors/9', tensors: entries }));
  expectUser(() => readTensorFiles(dir, 'weights'), /weights\.json: format: expected "cmrp-tensors\/1", found "cmrp-tensors\/9"/);
  fs.writeFileSync(mf, JSON.stringify({ format: TENSOR_MANIFEST_FORMAT, tensor: entries }));
  expectUser(() => readTensorFiles(dir, 'weights'), /weights\.json: tensors: expected a list of tensor entries/);
  fs.writeFileSync(mf, '7');
  expectUser(() => readTensorFiles(dir, 'weights'), /weights\.json: expected \{format: "cmrp-tensors\/1", tensors: \[\.\.\.\]\}, found 7/);
  fs.rmSync(mf);
  expectUser(() => readTensorFiles(dir, 'weights'), /weights\.json: cannot read the tensor manifest: missing/);
});

test('a legacy manifest (bare list, offsets in bytes) reads the same with one notice, and converts without touching its .bin', () => {
  const dir = path.join(tmp, 'legacy');
  fs.mkdirSync(dir, { recursive: true });
  writeTensorFiles(dir, 'optim', tensors);
  const current = JSON.parse(fs.readFileSync(path.join(dir, 'optim.json'), 'utf8')).tensors as { offset: number }[];
  const legacy = current.map((e) => ({ ...e, offset: e.offset * 4 }));
  fs.writeFileSync(path.join(dir, 'optim.json'), JSON.stringify(legacy) + '\n');
  const binBefore = fs.readFileSync(path.join(dir, 'optim.bin'));
  let read = new Map<string, NamedTensor>();
  const lines = notices(() => {
    read = readTensorFiles(dir, 'optim');
    readTensorFiles(dir, 'optim');
  });
  assert.equal(lines.length, 1, 'one notice per file and process');
  assert.match(lines[0], /optim\.json: legacy tensor manifest \(a bare list, offsets in bytes\).*npx cmrp checkpoints convert/);
  for (const t of tensors) assert.deepEqual(bits(read.get(t.name)!.data), bits(t.data), t.name);
  // a byte offset that is not a whole float32 value, and a garbled legacy entry
  fs.writeFileSync(path.join(dir, 'optim.json'), JSON.stringify(legacy.map((e, i) => (i === 1 ? { ...e, offset: 26 } : e))));
  expectUser(() => readTensorFiles(dir, 'optim'), /optim\.json: \[1\]\.offset: 26 bytes is not a whole float32 value/);
  fs.writeFileSync(path.join(dir, 'optim.json'), '[{"name": 3}]');
  expectUser(() => readTensorFiles(dir, 'optim'), /optim\.json: \[0\]: expected/);
  expectUser(() => convertTensorManifest(dir, 'optim'), /optim\.json: \[0\]: expected/);
  // conversion: only the manifest changes, and a second run finds it current
  fs.writeFileSync(path.join(dir, 'optim.json'), JSON.stringify(legacy) + '\n');
  assert.equal(convertTensorManifest(dir, 'optim'), true);
  assert.equal(convertTensorManifest(dir, 'optim'), false);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'optim.json'), 'utf8')).tensors, current);
  assert.ok(fs.readFileSync(path.join(dir, 'optim.bin')).equals(binBefore), 'the .bin file is untouched');
  assert.deepEqual(notices(() => readTensorFiles(dir, 'optim')), []);
});

test('the committed checkpoints are in the current layout and load exactly the bytes their files hold', async () => {
  await initBackend();
  const ck = path.join(projectRoot(), 'checkpoints');
  for (const base of ['base', 'base-dense']) {
    for (const stem of ['weights', 'optim']) {
      const m = JSON.parse(fs.readFileSync(path.join(ck, base, `${stem}.json`), 'utf8'));
      assert.equal(m.format, TENSOR_MANIFEST_FORMAT, `${base}/${stem}.json is converted`);
    }
    const { model } = loadCheckpoint(path.join(ck, base));
    // the loaded weights, packed in parameter order, are weights.bin byte for byte
    assert.equal(packTensors(namedTensors(model.params)).sha256, baseFingerprint(path.join(ck, base)), `${base}: loaded weights`);
    model.dispose();
  }
  for (const set of ['judges', 'judges-heldout']) {
    const judges = loadJudges(path.join(ck, set));
    for (const j of ['vqa', 'clip', 'identity', 'lpips'] as const) {
      const recorded = readJudge(path.join(ck, set, j), j).file.weights.sha256;
      assert.equal(paramsSha256(judges[j].params), recorded, `${set}/${j}: loaded parameters hash to judge.json's weights.sha256`);
    }
    judges.dispose();
  }
});
