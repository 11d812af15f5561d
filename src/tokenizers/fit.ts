/**
 * Fit both tokenizers on a synthetic world and measure them: the text tokenizer on every string of
 * the world (round trip checked on all of it, and on the eval characters' text when given), the
 * image codebook on the model-size images of all world characters but a held-out tenth, whose
 * images (and the eval characters', when given) measure reconstruction PSNR. With the real
 * RoleScape-20 copy present, its text measures how often the byte fallback fires.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { loadRoleScape } from '../data/rolescape/load';
import type { Character } from '../data/rolescape/types';
import { readSynthIndex } from '../data/synth/ensure';
import { splitHeldOutCharacters } from '../data/held-out';
import { UserError } from '../util/errors';
import { sharedRoleScapeDir } from '../util/paths';
import { Rng } from '../util/rng';
import { Tokenizers } from './bundle';
import { CorpusText, corpusTexts } from './corpus';
import { fitImageTokenizer, reconstructionStats, ReconstructionStats } from './image';
import { loadSynthImages } from './image-io';
import { fitTextTokenizer, TextTokenizer } from './text';

export const FitOptionsSchema = z
  .object({
    world_dir: z.string().min(1), // synthetic world (`cmrp data synth --split world`) to fit on
    eval_dir: z.string().nullable().default(null), // eval characters (`cmrp data synth`): PSNR and round trip on unseen characters; null: skip
    real_dir: z.string().nullable().optional(), // real RoleScape-20 for the fallback rate; default: ../shared/rolescape20 when present; null: skip
    seed: z.number().int().nonnegative().default(0), // k-means++ init and the held-out character draw
    text_vocab_size: z.number().int().min(64).max(32768).default(1008), // text tokens (32 fallback + byte alphabet + merges); 16 + 1008 + 512 = 1536 = BASE_CONFIG vocab_size
    codebook_size: z.number().int().min(2).max(8192).default(512), // image codes K (image.ts has the table of PSNR vs K and patch that chose 512)
    patch: z.number().int().refine((p) => [1, 2, 4, 8, 16, 32].includes(p), 'patch must divide 32').default(4), // patch side P: (32/P)^2 codes per image
    kmeans_iters: z.number().int().positive().default(20), // Lloyd iterations at most (it stops earlier when the error improves by < 0.01%)
    held_out_fraction: z.number().min(0).max(0.5).default(0.1), // world characters kept out of the codebook fit to measure PSNR on unseen images
    quiet: z.boolean().default(true), // no progress lines on stderr
  })
  .strict();

export type FitOptions = z.input<typeof FitOptionsSchema>;
export type ResolvedFitOptions = z.infer<typeof FitOptionsSchema>;

export interface FitReport {
  /** Mean per-image PSNR (dB) of held-out world characters' images. */
  psnr_heldout: number;
  /** The same on the eval characters (null without eval_dir). */
  psnr_eval: number | null;
  /** The same on the images the codebook was fitted on. */
  psnr_train: number;
  image: { train: ReconstructionStats; heldout: ReconstructionStats; eval: ReconstructionStats | null; iters: number; mse_history: number[] };
  text_vocab_size: number;
  text_alphabet_size: number;
  text_merges: number;
  image_codebook_size: number;
  image_patch: number;
  tokens_per_image: number;
  /** specials + text + image: the model's vocab_size. */
  vocab_size: number;
  /** Mean text tokens per dialogue turn of the world (and eval) corpus. */
  tokens_per_dialogue_line: { world: number; eval: number | null; real: number | null };
  /** UTF-8 bytes per text token on the world corpus. */
  text_bytes_per_token: number;
  /** decode(encode(s)) === s over every string of the world (and eval) corpus. */
  text_roundtrip: { texts: number; failures: number; first_failure: string | null };
  /** Fallback (nibble) tokens / all tokens on the real RoleScape-20 text (null when absent). */
  real_text_fallback_rate: number | null;
  /** Real text: bytes written as fallback / all bytes, and the texts holding any fallback. */
  real_text: { characters: number; texts: number; tokens: number; fallback_tokens: number; fallback_bytes_rate: number; texts_with_fallback: number; bytes_per_token: number } | null;
  seconds: { load: number; text_fit: number; text_encode_world: number; image_fit: number; total: number };
  options: Omit<ResolvedFitOptions, 'quiet'> & { real_dir: string | null };
}

export interface FitResult {
  tokenizers: Tokenizers;
  text: TextTokenizer;
  image: Tokenizers['image'];
  report: FitReport;
}

const now = (): number => performance.now() / 1000;

async function loadChars(dir: string, what: string): Promise<Character[]> {
  if (!fs.existsSync(dir)) throw new UserError(`${dir}: ${what} folder does not exist`);
  return (await loadRoleScape(dir)).characters;
}

function dialogueLineTokens(tok: TextTokenizer, texts: readonly CorpusText[]): number {
  let n = 0;
  let lines = 0;
  for (const t of texts) {
    if (t.source !== 'dialogue') continue;
    n += tok.encode(t.text).length;
    lines++;
  }
  return lines ? n / lines : NaN;
}

function roundTrip(tok: TextTokenizer, texts: readonly CorpusText[]): FitReport['text_roundtrip'] {
  let failures = 0;
  let first: string | null = null;
  for (const t of texts) {
    if (tok.decode(tok.encode(t.text)) !== t.text) {
      failures++;
      first ??= t.text.slice(0, 200);
    }
  }
  return { texts: texts.length, failures, first_failure: first };
}

function realTextStats(tok: TextTokenizer, chars: readonly Character[]): NonNullable<FitReport['real_text']> & { lineTokens: number } {
  const texts = corpusTexts(chars);
  let tokens = 0;
  let fallback = 0;
  let bytes = 0;
  let withFallback = 0;
  for (const t of texts) {
    const { stats } = tok.encodeWithStats(t.text);
    tokens += stats.tokens;
    fallback += stats.fallbackTokens;
    bytes += stats.bytes;
    if (stats.fallbackTokens > 0) withFallback++;
  }
  return {
    characters: chars.length,
    texts: texts.length,
    tokens,
    fallback_tokens: fallback,
    fallback_bytes_rate: bytes ? fallback / 2 / bytes : 0,
    texts_with_fallback: withFallback,
    bytes_per_token: tokens ? bytes / tokens : NaN,
    lineTokens: dialogueLineTokens(tok, texts),
  };
}

/** Fit the text and image tokenizers on `world_dir` and measure them. */
export async function fitTokenizers(options: FitOptions): Promise<FitResult> {
  const parsed = FitOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`fitTokenizers: ${issue.path.join('.') || 'options'}: ${issue.message}`);
  }
  const o = parsed.data;
  const realDir = o.real_dir === undefined ? sharedRoleScapeDir() : o.real_dir;
  const log = (s: string): void => {
    if (!o.quiet) process.stderr.write(`tokenizers: ${s}\n`);
  };
  const t0 = now();

  // data
  const worldIndex = readSynthIndex(o.world_dir);
  if (worldIndex.split !== 'world') throw new UserError(`${path.join(o.world_dir, 'index.json')}: split: expected "world" (build it with \`cmrp data synth --split world\`), found "${worldIndex.split}"`);
  const evalIndex = o.eval_dir ? readSynthIndex(o.eval_dir) : null;
  // hold out a seeded tenth of the world characters from the codebook fit
  const held = new Set(splitHeldOutCharacters(worldIndex.characters.map((c) => c.id), { fraction: o.held_out_fraction }, new Rng(o.seed).fork('heldout')).heldOut);
  const fitImages = worldIndex.characters.filter((c) => !held.has(c.id)).reduce((n, c) => n + c.images.train.length + c.images.test.length, 0);
  const patches = fitImages * (32 / o.patch) ** 2;
  if (patches < o.codebook_size) throw new UserError(`${o.world_dir}: ${fitImages} images give ${patches} patches, too few for a codebook of ${o.codebook_size}; use a larger world (\`cmrp data synth --split world --characters N\`) or a smaller --codebook`);
  const [worldChars, evalChars, realChars] = await Promise.all([
    loadChars(o.world_dir, 'world'),
    o.eval_dir ? loadChars(o.eval_dir, 'eval') : Promise.resolve(null),
    realDir ? loadChars(realDir, 'RoleScape-20') : Promise.resolve(null),
  ]);
  const worldImages = await loadSynthImages(o.world_dir, worldIndex);
  const evalImages = o.eval_dir && evalIndex ? await loadSynthImages(o.eval_dir, evalIndex) : null;
  const worldTexts = corpusTexts(worldChars);
  const evalTexts = evalChars ? corpusTexts(evalChars) : null;
  const tLoad = now() - t0;
  log(`loaded ${worldChars.length} world characters (${worldTexts.length} texts, ${worldImages.length} images) in ${tLoad.toFixed(1)} s`);

  // text
  let t = now();
  const text = fitTextTokenizer(
    worldTexts.map((x) => x.text),
    { vocabSize: o.text_vocab_size },
  );
  const tText = now() - t;
  t = now();
  let worldTokens = 0;
  let worldBytes = 0;
  for (const x of worldTexts) {
    worldTokens += text.encode(x.text).length;
    worldBytes += Buffer.byteLength(x.text, 'utf8');
  }
  const tEncode = now() - t;
  const rt = roundTrip(text, evalTexts ? [...worldTexts, ...evalTexts] : worldTexts);
  const real = realChars ? realTextStats(text, realChars) : null;
  log(`text: ${text.vocabSize} tokens (${text.alphabet.length} bytes + ${text.merges.length} merges) in ${tText.toFixed(1)} s; round trip ${rt.texts - rt.failures}/${rt.texts}`);

  // image: the codebook is fitted on all but the held-out characters
  const trainImgs = worldImages.filter((x) => !held.has(x.character)).map((x) => x.pixels);
  const heldImgs = worldImages.filter((x) => held.has(x.character)).map((x) => x.pixels);
  t = now();
  const history: number[] = [];
  const image = fitImageTokenizer(trainImgs, {
    codebookSize: o.codebook_size,
    patch: o.patch,
    seed: o.seed,
    iters: o.kmeans_iters,
    onIter: (i, mse) => {
      history.push(mse);
      log(`k-means iter ${i + 1}/${o.kmeans_iters}: mse ${mse.toFixed(5)} (${(now() - t).toFixed(1)} s)`);
    },
  });
  const tImage = now() - t;
  const trainStats = reconstructionStats(image, trainImgs);
  const heldStats = reconstructionStats(image, heldImgs);
  const evalStats = evalImages ? reconstructionStats(image, evalImages.map((x) => x.pixels)) : null;
  log(`image: K=${image.codebookSize}, ${image.tokensPerImage} codes/image in ${tImage.toFixed(1)} s; PSNR held-out ${heldStats.psnr.toFixed(2)} dB`);

  const tokenizers = new Tokenizers(text, image);
  const report: FitReport = {
    psnr_heldout: heldStats.psnr,
    psnr_eval: evalStats ? evalStats.psnr : null,
    psnr_train: trainStats.psnr,
    image: { train: trainStats, heldout: heldStats, eval: evalStats, iters: history.length, mse_history: history },
    text_vocab_size: text.vocabSize,
    text_alphabet_size: text.alphabet.length,
    text_merges: text.merges.length,
    image_codebook_size: image.codebookSize,
    image_patch: image.patch,
    tokens_per_image: image.tokensPerImage,
    vocab_size: tokenizers.vocab.size,
    tokens_per_dialogue_line: { world: dialogueLineTokens(text, worldTexts), eval: evalTexts ? dialogueLineTokens(text, evalTexts) : null, real: real ? real.lineTokens : null },
    text_bytes_per_token: worldBytes / worldTokens,
    text_roundtrip: rt,
    real_text_fallback_rate: real ? (real.tokens ? real.fallback_tokens / real.tokens : 0) : null,
    real_text: real ? { characters: real.characters, texts: real.texts, tokens: real.tokens, fallback_tokens: real.fallback_tokens, fallback_bytes_rate: real.fallback_bytes_rate, texts_with_fallback: real.texts_with_fallback, bytes_per_token: real.bytes_per_token } : null,
    seconds: { load: tLoad, text_fit: tText, text_encode_world: tEncode, image_fit: tImage, total: now() - t0 },
    options: {
      world_dir: path.resolve(o.world_dir),
      eval_dir: o.eval_dir ? path.resolve(o.eval_dir) : null,
      real_dir: realDir ? path.resolve(realDir) : null,
      seed: o.seed,
      text_vocab_size: o.text_vocab_size,
      codebook_size: o.codebook_size,
      patch: o.patch,
      kmeans_iters: o.kmeans_iters,
      held_out_fraction: o.held_out_fraction,
    },
  };
  return { tokenizers, text, image, report };
}
