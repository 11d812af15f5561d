/**
 * `tokenizers.json`: the text merges, the image codebook and the vocabulary layout in one
 * versioned file, written atomically. Loading checks every field and the cross-field invariants
 * (layout sizes agree with the tokenizers) and names the file and field of the first problem.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors';
import { readJsonFile, writeFileAtomic } from '../util/fs';
import { Tokenizers } from './bundle';
import { IMAGE_SIZE, CHANNELS, IMAGE_TOKENIZER_TYPE, ImageTokenizer } from './image';
import { PRETOKENIZER, TEXT_TOKENIZER_TYPE, TextTokenizer } from './text';

export const TOKENIZERS_FORMAT = 'cmrp-tokenizers/1';
export const TOKENIZERS_FILE = 'tokenizers.json';

const int = z.number().int();

const FileSchema = z
  .object({
    format: z.literal(TOKENIZERS_FORMAT),
    vocab: z
      .object({
        size: int.positive(),
        specials: z.array(z.string()),
        text_offset: int.nonnegative(),
        text_size: int.positive(),
        image_offset: int.nonnegative(),
        image_size: int.positive(),
      })
      .strict(),
    text: z
      .object({
        type: z.literal(TEXT_TOKENIZER_TYPE),
        pretokenizer: z.literal(PRETOKENIZER),
        alphabet: z.array(int.min(0).max(255)),
        merges: z.array(z.tuple([int, int])),
      })
      .strict(),
    image: z
      .object({
        type: z.literal(IMAGE_TOKENIZER_TYPE),
        image_size: z.literal(IMAGE_SIZE),
        channels: z.literal(CHANNELS),
        patch: int.positive(),
        codebook_size: int.positive(),
        codebook: z.array(z.number().min(0).max(255)),
      })
      .strict(),
    /** How the tokenizers were fitted and what they measured (informative; not needed to load). */
    fit: z.record(z.unknown()).optional(),
  })
  .strict();

export type TokenizersFile = z.infer<typeof FileSchema>;

/** JSON with numeric arrays on one line (a 24k-number codebook stays one line, not 24k). */
function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g, (_, body: string) => `[${body.replace(/,\s+/g, ',')}]`) + '\n';
}

/** Write `<dir>/tokenizers.json` atomically; returns its path. */
export function saveTokenizers(dir: string, tok: Tokenizers, fit?: Record<string, unknown>): string {
  const file = path.join(dir, TOKENIZERS_FILE);
  const body: TokenizersFile = { format: TOKENIZERS_FORMAT, vocab: tok.vocab.toJSON(), text: tok.text.toJSON(), image: tok.image.toJSON(), ...(fit ? { fit } : {}) };
  writeFileAtomic(file, formatJson(body));
  return file;
}

function fieldPath(p: (string | number)[]): string {
  return p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '') || '(top level)';
}

/** Check a parsed tokenizers.json; `file` names it in errors. */
export function parseTokenizers(raw: unknown, file: string): { tokenizers: Tokenizers; fit: Record<string, unknown> | null } {
  const fmt = (raw as { format?: unknown } | null)?.format;
  if (fmt !== TOKENIZERS_FORMAT) {
    throw new UserError(`${file}: format: expected "${TOKENIZERS_FORMAT}", found ${JSON.stringify(fmt) ?? 'nothing'}${typeof fmt === 'string' && fmt.startsWith('cmrp-tokenizers/') ? ' (another version; refit with `cmrp tokenizers fit`)' : ''}`);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  const f = parsed.data;
  let text_: TextTokenizer;
  let image: ImageTokenizer;
  try {
    text_ = TextTokenizer.fromJSON(f.text);
  } catch (err) {
    throw new UserError(`${file}: text.${(err as Error).message}`);
  }
  try {
    image = ImageTokenizer.fromJSON(f.image);
  } catch (err) {
    throw new UserError(`${file}: image.${(err as Error).message}`);
  }
  if (image.codebookSize !== f.image.codebook_size) {
    throw new UserError(`${file}: image.codebook: expected codebook_size ${f.image.codebook_size} x ${image.patchDim} = ${f.image.codebook_size * image.patchDim} numbers, found ${f.image.codebook.length}`);
  }
  const tok = new Tokenizers(text_, image);
  const want = tok.vocab.toJSON();
  for (const key of ['text_size', 'image_size', 'text_offset', 'image_offset', 'size'] as const) {
    if (f.vocab[key] !== want[key]) throw new UserError(`${file}: vocab.${key}: expected ${want[key]} (from the text and image tokenizers in the file), found ${f.vocab[key]}`);
  }
  if (JSON.stringify(f.vocab.specials) !== JSON.stringify(want.specials)) {
    throw new UserError(`${file}: vocab.specials: expected ${JSON.stringify(want.specials)}, found ${JSON.stringify(f.vocab.specials)}`);
  }
  return { tokenizers: tok, fit: f.fit ?? null };
}

/** Load `<dir>/tokenizers.json` (or the file itself when `dirOrFile` is a .json file). */
export function loadTokenizers(dirOrFile: string): Tokenizers {
  return loadTokenizersWithFit(dirOrFile).tokenizers;
}

/** Like loadTokenizers, also returning the stored fit report. */
export function loadTokenizersWithFit(dirOrFile: string): { tokenizers: Tokenizers; fit: Record<string, unknown> | null } {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, TOKENIZERS_FILE);
  return parseTokenizers(readJsonFile(file, '', `; fit tokenizers with \`cmrp tokenizers fit --world DIR --out ${path.dirname(file)}\``), file);
}
