/**
 * The tokenizers on a small synthetic world (40 characters, fitted once): image codes and their
 * reconstruction quality, exact text round trips (synthetic, emoji/CJK, lone surrogates, random
 * strings), real RoleScape-20 text, the vocabulary layout, tokenizers.json and its errors.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { synthesize, readSynthIndex } from '../src/data/synth';
import { loadRoleScape } from '../src/data/rolescape';
import { UserError } from '../src/util/errors';
import { sharedRoleScapeDir } from '../src/util/paths';
import { Rng } from '../src/util/rng';
import {
  corpusTexts, fitImageTokenizer, fitTextTokenizer, fitTokenizers, FitResult, imageToModelSize, loadModel32, loadSynthImages, loadTokenizers,
  loadTokenizersWithFit, N_FALLBACK, PIXELS, psnr, saveTokenizers, SPECIAL_SLOTS, TextTokenizer, Tokenizers, TOKENIZERS_FILE, utf8Decode, utf8Encode, Vocab,
} from '../src/tokenizers';
import { parseFitOptions, formatReport } from '../src/cli/commands/tokenizers';

/*
 * Floor, measured on this 40-character world with K=256 and 8 k-means iterations (2026-11-26):
 * seed 0 (used here) held-out world 19.17 dB, eval 19.11 dB; seeds 1 and 2 18.65-19.00 dB.
 * The default fit (240 characters, K=512, 20 iterations) reaches 20.4 dB.
 */
const PSNR_FLOOR = 18.5;

let tmp: string;
let world: string;
let evalDir: string;
let fit: FitResult;

before(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-tokenizers-'));
  world = path.join(tmp, 'world');
  evalDir = path.join(tmp, 'eval');
  await synthesize({ out: world, seed: 0, split: 'world', characters: 40, quiet: true });
  await synthesize({ out: evalDir, seed: 0, split: 'eval', characters: 4, quiet: true });
  fit = await fitTokenizers({ world_dir: world, eval_dir: evalDir, real_dir: null, seed: 0, text_vocab_size: 600, codebook_size: 256, kmeans_iters: 8 });
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- image

test('image codes: an 8x8 grid of codes in range, decoded to 32x32 RGB; batch = one by one', async () => {
  const idx = readSynthIndex(evalDir);
  const imgs = (await loadSynthImages(evalDir, idx)).slice(0, 6).map((x) => x.pixels);
  const tok = fit.image;
  assert.equal(tok.tokensPerImage, 64);
  assert.equal(tok.grid, 8);
  const codes = tok.encode(imgs[0]);
  assert.ok(codes instanceof Int32Array);
  assert.equal(codes.length, 64);
  for (const c of codes) assert.ok(c >= 0 && c < 256);
  const rec = tok.decode(codes);
  assert.ok(rec instanceof Uint8Array);
  assert.equal(rec.length, 32 * 32 * 3);
  const batch = tok.encodeBatch(imgs);
  imgs.forEach((im, i) => assert.deepEqual(batch[i], tok.encode(im)));
  assert.deepEqual(tok.decodeBatch(batch)[2], tok.decode(batch[2]));
  // a 0-1 Float32Array is the same image
  assert.deepEqual(tok.encode(Float32Array.from(imgs[1], (v) => v / 255)), batch[1]);
});

test('image codes: bad inputs are errors naming the problem', () => {
  const tok = fit.image;
  assert.throws(() => tok.encode(new Uint8Array(100)), /expected 32x32x3 = 3072 values/);
  assert.throws(() => tok.encode(new Float32Array(PIXELS).fill(200)), /must hold 0-1 values, found 200.*Uint8Array/);
  assert.throws(() => tok.decode(new Int32Array(63)), /expected 64 codes/);
  assert.throws(() => tok.decode(new Int32Array(64).fill(256)), /code 256 at position 0 is outside the codebook \(0 to 255\)/);
});

test(`PSNR on unseen images is above ${PSNR_FLOOR} dB (held-out world and eval characters)`, () => {
  const r = fit.report;
  assert.ok(r.psnr_heldout > PSNR_FLOOR, `held-out PSNR ${r.psnr_heldout}`);
  assert.ok(r.psnr_eval !== null && r.psnr_eval > PSNR_FLOOR, `eval PSNR ${r.psnr_eval}`);
  assert.ok(r.psnr_train >= r.psnr_heldout - 0.5, 'fitted images reconstruct at least as well');
  assert.ok(r.image.heldout.images > 0, 'some world characters were held out');
  assert.ok(r.image.eval !== null && r.image.eval.images >= 4 * 13, 'every eval image was measured');
  assert.equal(r.tokens_per_image, 64);
  assert.equal(r.image_codebook_size, 256);
  assert.equal(psnr([1, 2, 3], [1, 2, 3]), Infinity);
  assert.ok(Math.abs(psnr([0, 0], [255, 255])) < 1e-9);
});

test('same seed, same codebook; another seed, another; no tensors leak', async () => {
  const idx = readSynthIndex(world);
  const imgs = (await loadSynthImages(world, idx)).slice(0, 60).map((x) => x.pixels);
  const before = tf.memory().numTensors;
  const a = fitImageTokenizer(imgs, { codebookSize: 64, seed: 7, iters: 5 });
  const b = fitImageTokenizer(imgs, { codebookSize: 64, seed: 7, iters: 5 });
  const c = fitImageTokenizer(imgs, { codebookSize: 64, seed: 8, iters: 5 });
  a.encodeBatch(imgs);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a.codebook, b.codebook);
  assert.notDeepEqual(a.codebook, c.codebook);
});

test('loadModel32 reads the 32x32 copies; imageToModelSize brings any image to 32x32', async () => {
  const idx = readSynthIndex(evalDir);
  const im = idx.characters[0].images.train[0];
  const small = await loadModel32(path.join(evalDir, im.model32));
  assert.equal(small.length, PIXELS);
  const fromMaster = await imageToModelSize(path.join(evalDir, im.file));
  assert.equal(fromMaster.length, PIXELS);
  // the world's copies are the masters resized the same way
  assert.ok(psnr(small, fromMaster) > 40);
  await assert.rejects(loadModel32(path.join(evalDir, im.file)), /expected a 32x32 RGB image, found 128x128/);
  await assert.rejects(imageToModelSize(Buffer.from('not an image')), /image buffer: cannot decode the image/);
});

// ---------------------------------------------------------------- text

let syntheticTexts: string[] | null = null;
async function allSyntheticTexts(): Promise<string[]> {
  if (!syntheticTexts) {
    const chars = [...(await loadRoleScape(world)).characters, ...(await loadRoleScape(evalDir)).characters];
    syntheticTexts = corpusTexts(chars).map((t) => t.text);
  }
  return syntheticTexts;
}

test('text: exact round trip on every synthetic string (world and eval)', async () => {
  const texts = await allSyntheticTexts();
  assert.ok(texts.length > 20000, `${texts.length} texts`);
  const tok = fit.text;
  let fallback = 0;
  for (const s of texts) {
    const ids = tok.encode(s);
    assert.equal(tok.decode(ids), s);
    for (const id of ids) if (id < N_FALLBACK) fallback++;
  }
  assert.equal(fit.report.text_roundtrip.failures, 0);
  assert.equal(fallback, 0, 'the synthetic world needs no byte fallback');
  assert.equal(fit.text.vocabSize, 600);
  assert.ok(fit.report.tokens_per_dialogue_line.world > 5 && fit.report.tokens_per_dialogue_line.world < 60);
});

test('text: emoji, CJK, accents, lone surrogates and control bytes round-trip via byte fallback', () => {
  const tok = fit.text;
  const cases = ['漢字とかなのテスト', 'Hermione’s wand — “Lumos!”', '🦄🧪 café naïve Ωmega', 'a\ud83db', '\udc00 tail', 'x\u0000y\u0007\r\n\t', '', '  spaces   everywhere  ', 'Mahjong Soul-二階堂美樹 ❤️'];
  for (const s of cases) assert.equal(tok.decode(tok.encode(s)), s, JSON.stringify(s));
  const cjk = tok.encodeWithStats('漢字');
  assert.equal(cjk.stats.fallbackTokens, 12, 'two 3-byte characters, two nibbles per byte');
  assert.equal(cjk.stats.fallbackBytes, 6);
  // random strings over the whole code-point range (and lone surrogates)
  const rng = new Rng(3);
  for (let i = 0; i < 300; i++) {
    let s = '';
    const n = rng.int(0, 20);
    for (let j = 0; j < n; j++) {
      const r = rng.next();
      s += r < 0.4 ? String.fromCharCode(rng.int(32, 126)) : r < 0.8 ? String.fromCodePoint(rng.int(0, 0x10ffff)) : String.fromCharCode(rng.int(0xd800, 0xdfff));
    }
    assert.equal(tok.decode(tok.encode(s)), s, JSON.stringify(s));
  }
});

test('text: decode never throws on model output (unpaired nibbles dropped), only on ids outside the text range', () => {
  const tok = fit.text;
  const a = tok.encode('a');
  assert.equal(tok.decode([0x4]), '', 'a lone high nibble is dropped');
  assert.equal(tok.decode([16 + 1, ...a]), 'a', 'a lone low nibble is dropped');
  assert.equal(tok.decode([0x4, 16 + 0x1]), 'A', 'a nibble pair is a byte');
  assert.equal(tok.decode([0xf, 16 + 0xf]), '\ufffd', 'byte 0xFF alone is not UTF-8: U+FFFD');
  assert.equal(utf8Decode([0xff]), '\ufffd');
  assert.deepEqual(Array.from(utf8Encode('é')), [0xc3, 0xa9]);
  assert.throws(() => tok.decode([tok.vocabSize]), /token 600 at position 0 is not a text token/);
});

test('text: the same corpus gives the same merges; encoding the world is fast', async () => {
  const texts = await allSyntheticTexts();
  const a = fitTextTokenizer(texts, { vocabSize: 400 });
  const b = fitTextTokenizer(texts, { vocabSize: 400 });
  assert.deepEqual(a.toJSON(), b.toJSON());
  const t0 = performance.now();
  const fresh = TextTokenizer.fromJSON(fit.text.toJSON()); // no cache
  let n = 0;
  for (const s of texts) n += fresh.encode(s).length;
  const ms = performance.now() - t0;
  assert.ok(n > 0);
  assert.ok(ms < 5000, `encoding ${texts.length} texts took ${ms.toFixed(0)} ms`);
});

test('real RoleScape-20 text tokenizes without throwing; fallback is rare', async (t) => {
  const dir = sharedRoleScapeDir();
  if (!dir) return t.skip('no ../shared/rolescape20');
  const { characters } = await loadRoleScape(dir);
  const texts = corpusTexts(characters);
  assert.ok(texts.length > 1000);
  let tokens = 0;
  let fallback = 0;
  for (const { text } of texts) {
    const { ids, stats } = fit.text.encodeWithStats(text);
    tokens += stats.tokens;
    fallback += stats.fallbackTokens;
    assert.equal(fit.text.decode(ids), text);
  }
  assert.ok(fallback / tokens < 0.02, `fallback rate ${fallback / tokens}`);
});

// ---------------------------------------------------------------- vocabulary

test('vocabulary: specials, then text, then image codes; modality 1 only for image codes', () => {
  const tok = fit.tokenizers;
  const v = tok.vocab;
  assert.equal(v.size, SPECIAL_SLOTS + 600 + 256);
  assert.deepEqual(v.specials.slice(0, 9), ['<pad>', '<bos>', '<eos>', '<user>', '<char>', '<sys>', '<boi>', '<eoi>', '<card>']);
  assert.equal(v.pad, 0);
  assert.equal(v.special('<boi>'), v.boi);
  assert.deepEqual(v.textTokenRange, [16, 616]);
  assert.deepEqual(v.imageTokenRange, [616, 872]);
  assert.ok(v.isImageToken(616) && v.isImageToken(871) && !v.isImageToken(615) && !v.isImageToken(872));
  assert.equal(v.modality(v.boi), 0);
  assert.equal(v.modality(700), 1);
  assert.equal(v.modality(20), 0);
  const text = tok.encodeText('Hello there!');
  assert.ok(Array.from(text).every((id) => v.isTextToken(id)));
  assert.equal(tok.decodeText([v.bos, ...text, v.eos]), 'Hello there!');
  const img = new Uint8Array(PIXELS).fill(128);
  const ids = tok.encodeImage(img);
  assert.equal(ids.length, 66);
  assert.equal(ids[0], v.boi);
  assert.equal(ids[65], v.eoi);
  assert.deepEqual(Array.from(v.modalities(ids)), [0, ...new Array(64).fill(1), 0]);
  assert.deepEqual(tok.decodeImage(ids), tok.image.reconstruct(img));
  assert.deepEqual(v.decodeImageTokens(ids.subarray(1, 65)), fit.image.encode(img));
  assert.throws(() => v.decodeImageTokens([v.boi, 20, v.eoi]), /token 20 at position 1 is not an image code/);
  assert.throws(() => v.encodeImageTokens([256]), /code 256 at position 0 is outside the codebook/);
  assert.equal(tok.tokenName(v.boi), '<boi>');
  assert.equal(tok.tokenName(700), 'img:84');
  assert.throws(() => new Vocab(0, 10), /textSize must be a positive integer/);
});

// ---------------------------------------------------------------- tokenizers.json

test('tokenizers.json: save and load give the same tokenizers and keep the fit report', () => {
  const dir = path.join(tmp, 'saved');
  const file = saveTokenizers(dir, fit.tokenizers, fit.report as unknown as Record<string, unknown>);
  assert.equal(file, path.join(dir, TOKENIZERS_FILE));
  const { tokenizers: back, fit: report } = loadTokenizersWithFit(dir);
  assert.deepEqual(back.vocab.toJSON(), fit.tokenizers.vocab.toJSON());
  assert.deepEqual(back.text.toJSON(), fit.text.toJSON());
  assert.deepEqual(back.image.codebook, fit.image.codebook);
  const img = Uint8Array.from({ length: PIXELS }, (_, i) => (i * 37) % 256);
  assert.deepEqual(back.encodeImage(img), fit.tokenizers.encodeImage(img));
  assert.deepEqual(back.encodeText('Onward, galloping kettle! 🌟'), fit.tokenizers.encodeText('Onward, galloping kettle! 🌟'));
  assert.equal((report as { psnr_heldout: number }).psnr_heldout, fit.report.psnr_heldout);
  assert.ok(loadTokenizers(file) instanceof Tokenizers, 'the file path works too');
  assert.match(formatReport(back, fit.report, file), /vocabulary 872 = 16 special \+ 600 text \[16, 616\) \+ 256 image \[616, 872\)/);
});

test('tokenizers.json: a corrupt or mismatched file is a UserError naming the file and field', () => {
  const dir = path.join(tmp, 'bad');
  const file = saveTokenizers(dir, fit.tokenizers);
  const good = JSON.parse(fs.readFileSync(file, 'utf8'));
  const expectRaw = (text: string, re: RegExp): void => {
    fs.writeFileSync(file, text);
    assert.throws(
      () => loadTokenizers(dir),
      (e: unknown) => {
        assert.ok(e instanceof UserError, String(e));
        assert.ok((e as Error).message.startsWith(file + ': '), (e as Error).message);
        assert.match((e as Error).message, re);
        return true;
      },
    );
  };
  const expectError = (mutate: (j: any) => unknown, re: RegExp): void => {
    const j = structuredClone(good);
    mutate(j);
    expectRaw(JSON.stringify(j), re);
  };
  expectRaw(JSON.stringify(good).slice(0, 500), /not valid JSON/);
  expectError((j) => (j.format = 'cmrp-tokenizers/0'), /format: expected "cmrp-tokenizers\/1", found "cmrp-tokenizers\/0" \(another version/);
  expectError((j) => j.image.codebook.pop(), /image\.codebook: expected K x 48 numbers for 4x4 RGB patches, found 12287/);
  expectError((j) => j.image.codebook.splice(0, 48), /image\.codebook: expected codebook_size 256 x 48 = 12288 numbers, found 12240/);
  expectError((j) => (j.image.codebook[5] = 'x'), /image\.codebook\[5\]: Expected number, received string/);
  expectError((j) => (j.vocab.size = 2000), /vocab\.size: expected 872 .*found 2000/);
  expectError((j) => (j.vocab.text_size = 601), /vocab\.text_size: expected 600/);
  expectError((j) => (j.text.merges[3] = [5000, 40]), /text\.merges\[3\]: first id 5000 must be an earlier non-fallback token/);
  expectError((j) => (j.text.alphabet[1] = j.text.alphabet[0]), /text\.alphabet\[1\]: expected ascending distinct byte values/);
  expectError((j) => delete j.text.merges, /text\.merges: Required/);
  expectError((j) => (j.extra = 1), /\(top level\): Unrecognized key\(s\) in object: 'extra'/);
  fs.rmSync(file);
  assert.throws(() => loadTokenizers(dir), /tokenizers\.json: missing; fit tokenizers with `cmrp tokenizers fit/);
});

test('cmrp tokenizers fit: flags are checked', () => {
  const ok = parseFitOptions({ world: 'w', out: 'o', seed: '1', textVocab: '1008', codebook: '512', patch: '4', iters: '20', real: false });
  assert.equal(ok.fit.real_dir, null);
  assert.equal(ok.fit.codebook_size, 512);
  assert.ok(!('real_dir' in parseFitOptions({ world: 'w', out: 'o', seed: '0', textVocab: '1008', codebook: '512', patch: '4', iters: '20' }).fit));
  assert.throws(() => parseFitOptions({ out: 'o', seed: '0', textVocab: '1008', codebook: '512', patch: '4', iters: '20' }), /--world DIR is required/);
  assert.throws(() => parseFitOptions({ world: 'w', out: 'o', seed: '0', textVocab: '1008', codebook: '512', patch: '3', iters: '20' }), /--patch must divide 32/);
  assert.throws(() => parseFitOptions({ world: 'w', out: 'o', seed: '0', textVocab: 'many', codebook: '512', patch: '4', iters: '20' }), /--text-vocab must be a whole number, got "many"/);
});

test('fitTokenizers: unknown options and an eval folder given as the world are errors', async () => {
  await assert.rejects(fitTokenizers({ world_dir: world, codebook: 3 } as never), /Unrecognized key/);
  await assert.rejects(fitTokenizers({ world_dir: evalDir, real_dir: null }), /split: expected "world"/);
  await assert.rejects(fitTokenizers({ world_dir: path.join(tmp, 'nope'), real_dir: null }), /cannot read the synthetic dataset index/);
  await assert.rejects(fitTokenizers({ world_dir: world, real_dir: null, codebook_size: 8192, patch: 8 }), /images give \d+ patches, too few for a codebook of 8192/);
});
