/**
 * `cmrp tokenizers fit`: fit the text and image tokenizers on a synthetic world and write
 * `<out>/tokenizers.json` (atomically) with the fit report inside; `--out` is claimed as every
 * run's is (cli/out.ts), so a user's folder or own tokenizers.json is not replaced without --force.
 * `cmrp tokenizers show`: print the layout and report of a fitted file.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { UserError } from '../../util/errors';
import { fitTokenizers, FitOptions, FitReport } from '../../tokenizers/fit';
import { loadTokenizersWithFit, saveTokenizers } from '../../tokenizers/serialize';
import type { Tokenizers } from '../../tokenizers/bundle';
import { forceOption, tokenizersIdentity, withClaim } from '../out';

interface RawFitOptions {
  world?: string;
  out?: string;
  eval?: string;
  real?: string | false;
  seed: string;
  textVocab: string;
  codebook: string;
  patch: string;
  iters: string;
  json?: boolean;
  quiet?: boolean;
  force?: boolean;
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(String(raw).trim())) throw new UserError(`${flag} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UserError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Validate the raw flags (exported for tests). */
export function parseFitOptions(o: RawFitOptions): { out: string; json: boolean; force: boolean; fit: FitOptions } {
  if (!o.world) throw new UserError('--world DIR is required (build one with `cmrp data synth --out DIR --split world`)');
  if (!o.out) throw new UserError('--out DIR is required (tokenizers.json is written there)');
  const patch = wholeNumber('--patch', o.patch, 1, 32);
  if (32 % patch !== 0) throw new UserError(`--patch must divide 32 (1, 2, 4, 8, 16, 32), got ${patch}`);
  const fit: FitOptions = {
    world_dir: o.world,
    eval_dir: o.eval ?? null,
    // --no-real: skip; --real DIR: that copy; absent: ../shared/rolescape20 when present
    ...(o.real === false ? { real_dir: null } : typeof o.real === 'string' ? { real_dir: o.real } : {}),
    seed: wholeNumber('--seed', o.seed, 0, 0xffffffff),
    text_vocab_size: wholeNumber('--text-vocab', o.textVocab, 64, 32768),
    codebook_size: wholeNumber('--codebook', o.codebook, 2, 8192),
    patch,
    kmeans_iters: wholeNumber('--iters', o.iters, 1, 1000),
    quiet: Boolean(o.quiet || o.json),
  };
  return { out: o.out, json: Boolean(o.json), force: Boolean(o.force), fit };
}

const db = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)} dB`);

/** The human summary printed after a fit (and by `show`). */
export function formatReport(tok: Tokenizers, r: FitReport | null, file: string): string {
  const v = tok.vocab;
  const lines = [
    `tokenizers: ${file}`,
    `  vocabulary ${v.size} = ${v.textOffset} special + ${v.textSize} text [${v.textTokenRange.join(', ')}) + ${v.imageSize} image [${v.imageTokenRange.join(', ')})`,
    `  text: byte-level BPE, ${tok.text.alphabet.length} bytes + 32 fallback nibbles + ${tok.text.merges.length} merges`,
    `  image: ${tok.image.patch}x${tok.image.patch} patches, ${tok.image.grid}x${tok.image.grid} grid = ${tok.image.tokensPerImage} codes per image, codebook ${tok.image.codebookSize}`,
  ];
  if (r) {
    lines.push(
      `  PSNR: held-out world ${db(r.psnr_heldout)}, eval ${db(r.psnr_eval)}, fitted images ${db(r.psnr_train)}`,
      `  text: ${r.tokens_per_dialogue_line.world.toFixed(1)} tokens per dialogue line (world), ${r.text_bytes_per_token.toFixed(2)} bytes per token; round trip ${r.text_roundtrip.texts - r.text_roundtrip.failures}/${r.text_roundtrip.texts} exact`,
      r.real_text
        ? `  real RoleScape-20 text: ${(100 * (r.real_text_fallback_rate ?? 0)).toFixed(2)}% fallback tokens (${r.real_text.fallback_tokens} of ${r.real_text.tokens}; ${r.real_text.texts_with_fallback} of ${r.real_text.texts} texts), ${r.real_text.bytes_per_token.toFixed(2)} bytes per token`
        : '  real RoleScape-20 text: not measured (no copy found)',
      `  time: load ${r.seconds.load.toFixed(1)} s, text fit ${r.seconds.text_fit.toFixed(1)} s, image fit ${r.seconds.image_fit.toFixed(1)} s, total ${r.seconds.total.toFixed(1)} s`,
    );
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  const group = program.command('tokenizers').description('the text and image tokenizers of the unified model');
  const fit = group
    .command('fit')
    .description('fit the text BPE and the image codebook on a synthetic world; write <out>/tokenizers.json')
    .option('--world <dir>', 'synthetic world to fit on (`cmrp data synth --split world`)')
    .option('--out <dir>', 'folder for tokenizers.json (written atomically; a folder of other files is refused without --force)')
    .option('--eval <dir>', 'eval characters (`cmrp data synth`): also measure PSNR and round trip on them')
    .option('--real <dir>', 'real RoleScape-20 copy for the fallback rate (default ../shared/rolescape20 when present)')
    .option('--no-real', 'do not measure on real text')
    .option('--seed <n>', 'seed of the k-means++ init and the held-out draw', '0')
    .option('--text-vocab <n>', 'text tokens (32 fallback + byte alphabet + merges)', '1008')
    .option('--codebook <k>', 'image codebook size', '512')
    .option('--patch <p>', 'patch side in pixels: (32/p)^2 codes per image', '4')
    .option('--iters <n>', 'k-means iterations at most', '20')
    .option('--json', 'print the fit report as JSON on stdout')
    .option('--quiet', 'no progress lines');
  forceOption(fit).action(async (raw: RawFitOptions) => {
    const o = parseFitOptions(raw);
    const { tokenizers, report, file } = await withClaim(o.out, { kind: 'tokenizers' }, { force: o.force, legacy: tokenizersIdentity }, async () => {
      const r = await fitTokenizers(o.fit);
      return { ...r, file: saveTokenizers(o.out, r.tokenizers, r.report as unknown as Record<string, unknown>) };
    });
    if (o.json) process.stdout.write(JSON.stringify({ file: path.resolve(file), ...report }) + '\n');
    else process.stdout.write(formatReport(tokenizers, report, file) + '\n');
  });
  group
    .command('show')
    .description('print the vocabulary layout and fit report of a tokenizers.json')
    .argument('<dir>', 'folder holding tokenizers.json (or the file)')
    .action((dir: string) => {
      const { tokenizers, fit } = loadTokenizersWithFit(dir);
      process.stdout.write(formatReport(tokenizers, fit as unknown as FitReport | null, path.resolve(dir)) + '\n');
    });
}
