/**
 * The one tensor-file format of every checkpoint: named float32 tensors concatenated in one binary
 * file (little-endian, the byte order of every platform Node supports in practice), listed by
 * manifest entries `{name, shape, offset}`. Where the entries live is the checkpoint's business:
 *   model, adapters, optimizer state  `<stem>.json` = {format: "cmrp-tensors/1", tensors: [...]} beside `<stem>.bin`
 *   image judges                      judge.json `params` (and `weights.sha256`) beside weights.bin
 *   text judges                       manifest.json `style.tensors` / `emotion.tensors` beside style.bin / emotion.bin
 *
 * `offset` counts float32 values (elements), not bytes: a shape counts elements, so a tensor spans
 * offset .. offset + product(shape) in one unit and the file reads as one Float32Array. The image
 * and text judges already counted so (experiment caches key on their files' bytes, which therefore
 * did not change); the model's manifests, which counted bytes in a bare list, were converted once
 * (`cmrp checkpoints convert`), and such a legacy list is still read, with a one-line notice.
 *
 * Reading checks everything the manifest and the file can disagree on, each as one UserError line
 * naming the file, the field and the expectation: the entries' fields, the file's length against
 * the shapes, overlaps, non-finite values, a sha256 when one is recorded, and, when the caller
 * knows them, the names and shapes it expects.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors';
import { readJsonFile, writeFileAtomic } from './fs';
import { deprecationNotice } from './deprecated-keys';

export const TENSOR_MANIFEST_FORMAT = 'cmrp-tensors/1';

export interface NamedTensor {
  readonly name: string;
  readonly shape: number[];
  readonly data: Float32Array;
}

export interface TensorEntry {
  readonly name: string;
  readonly shape: number[];
  /** Offset in float32 values (not bytes) from the start of the binary file. */
  readonly offset: number;
}

/** Where a manifest's entries are, for messages: the JSON file and the field holding the list. */
export interface ManifestAt {
  readonly manifest: string;
  /** e.g. "tensors", "params", "emotion.tensors"; "" for a bare list. */
  readonly field: string;
}

/** Refuses NaN/Infinity: a diverged run must not be saved, loaded, scored or resumed as if it were a model. */
export class NonFiniteError extends UserError {}

/** How many values are NaN or infinite, and the first index of one (-1: none). */
export function countNonFinite(data: Float32Array): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return { count, first };
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

/**
 * Tensors as the binary file stores them, with their entries and the file's sha256. Throws
 * NonFiniteError on a non-finite value (nothing is written by the callers then).
 */
export function packTensors(tensors: readonly NamedTensor[]): { entries: TensorEntry[]; bytes: Uint8Array; sha256: string } {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (product(t.shape) !== t.data.length) throw new Error(`packTensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    const bad = countNonFinite(t.data);
    if (bad.count) throw new NonFiniteError(`refusing to save: ${t.name} holds ${bad.count} non-finite value(s) (NaN or Infinity); the run diverged, nothing was written`);
    entries.push({ name: t.name, shape: [...t.shape], offset });
    offset += t.data.length;
  }
  const values = new Float32Array(offset);
  tensors.forEach((t, i) => values.set(t.data, entries[i].offset));
  const bytes = new Uint8Array(values.buffer);
  return { entries, bytes, sha256: sha256(bytes) };
}

/** Write tensors to `binFile` atomically; returns the entries to put in the manifest, the value count and the file's sha256. */
export function writeTensorFile(binFile: string, tensors: readonly NamedTensor[]): { entries: TensorEntry[]; values: number; sha256: string } {
  const packed = packTensors(tensors);
  writeFileAtomic(binFile, packed.bytes);
  return { entries: packed.entries, values: packed.bytes.byteLength / 4, sha256: packed.sha256 };
}

/** The entries of a manifest list, checked field by field (offsets in float32 values). */
export function parseTensorEntries(raw: unknown, at: ManifestAt): TensorEntry[] {
  const f = at.field;
  if (!Array.isArray(raw)) throw new UserError(`${at.manifest}: ${f || '(top level)'}: expected a list of tensor entries {name, shape, offset}, found ${JSON.stringify(raw)?.slice(0, 60) ?? 'nothing'}`);
  const seen = new Set<string>();
  return raw.map((e: unknown, i) => {
    const x = e as Partial<TensorEntry> | null;
    const ok = x !== null && typeof x === 'object' && typeof x.name === 'string' && Array.isArray(x.shape) && x.shape.every((d) => Number.isInteger(d) && d >= 0) && Number.isInteger(x.offset) && (x.offset as number) >= 0;
    if (!ok) throw new UserError(`${at.manifest}: ${f}[${i}]: expected {name: a string, shape: [whole numbers], offset: a whole number of float32 values}, found ${JSON.stringify(e)?.slice(0, 80)}`);
    if (seen.has(x.name!)) throw new UserError(`${at.manifest}: ${f}[${i}]: tensor "${x.name}" is listed twice`);
    seen.add(x.name!);
    return { name: x.name!, shape: x.shape!, offset: x.offset! };
  });
}

/**
 * Read the tensors `entries` lists from `binFile`. The file must be exactly the listed tensors
 * (its length the sum of their sizes, no two overlapping); with `sha256`, its hash must match.
 * With `expected` (name -> shape), the names and shapes must be exactly those (`source` says who
 * expects them, e.g. "its config"); otherwise call `checkTensorShapes` once the shapes are known.
 */
export function readTensorFile(
  binFile: string,
  entries: unknown,
  at: ManifestAt,
  opts: { sha256?: string; expected?: ReadonlyMap<string, readonly number[]>; source?: string } = {},
): Map<string, NamedTensor> {
  const list = parseTensorEntries(entries, at);
  // the manifest against what the caller builds first: a wrong shape is named as such, not as a file-length mismatch
  if (opts.expected) checkTensorShapes(new Map(list.map((e) => [e.name, e])), opts.expected, at, opts.source);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(binFile);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT'
      ? `${binFile}: missing (${path.basename(at.manifest)} lists its tensors); the folder is incomplete: save or copy it again`
      : `${binFile}: cannot read the tensors (${(err as Error).message.split('\n')[0]})`);
  }
  const total = list.reduce((n, e) => n + product(e.shape), 0);
  if (buf.length !== total * 4) {
    throw new UserError(`${binFile}: expected ${total * 4} bytes (the ${total} float32 values ${path.basename(at.manifest)}${at.field ? ` ${at.field}` : ''} lists), found ${buf.length} (truncated, or the file of another checkpoint?)`);
  }
  if (opts.sha256 !== undefined) {
    const h = sha256(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    if (h !== opts.sha256) throw new UserError(`${binFile}: sha256 ${h.slice(0, 12)}… does not match ${path.basename(at.manifest)}'s ${String(opts.sha256).slice(0, 12)}… (corrupted, or the file of another checkpoint)`);
  }
  const byOffset = [...list].sort((a, b) => a.offset - b.offset);
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i], end = e.offset + product(e.shape);
    if (end > total) throw new UserError(`${at.manifest}: ${at.field}: "${e.name}" spans float32 values ${e.offset}..${end}, past the end of ${path.basename(binFile)} (${total} values)`);
    const next = byOffset[i + 1];
    if (next && next.offset < end) throw new UserError(`${at.manifest}: ${at.field}: "${e.name}" (values ${e.offset}..${end}) overlaps "${next.name}" (from ${next.offset})`);
  }
  // one aligned copy: a Buffer's pool offset need not be a multiple of 4
  const values = new Float32Array(total);
  new Uint8Array(values.buffer).set(buf);
  const out = new Map<string, NamedTensor>();
  for (const e of list) {
    const data = values.subarray(e.offset, e.offset + product(e.shape));
    const bad = countNonFinite(data);
    if (bad.count) throw new NonFiniteError(`${binFile}: tensor "${e.name}" holds ${bad.count} non-finite value(s) (NaN or Infinity), the first at element ${bad.first}; a diverged model cannot be loaded, scored or resumed`);
    out.set(e.name, { name: e.name, shape: e.shape, data });
  }
  return out;
}

/** Every expected tensor present with its shape, and nothing else; `source` says who builds them. */
export function checkTensorShapes(tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>, expected: ReadonlyMap<string, readonly number[]>, at: ManifestAt, source = 'the config'): void {
  const f = at.field;
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) throw new UserError(`${at.manifest}: ${f}: no tensor "${name}" [${shape}], which ${source} builds (a checkpoint of another architecture?)`);
    if (t.shape.join(',') !== shape.join(',')) throw new UserError(`${at.manifest}: ${f}: "${name}".shape: expected [${shape}] (what ${source} builds), found [${t.shape}]`);
  }
  const extra = [...tensors.keys()].filter((k) => !expected.has(k));
  if (extra.length) throw new UserError(`${at.manifest}: ${f}: ${extra.length} tensor(s) ${source} does not build: ${extra.slice(0, 5).map((n) => `"${n}"`).join(', ')}${extra.length > 5 ? ', …' : ''}`);
}

// ---- standalone manifests: <stem>.json beside <stem>.bin (model weights, adapters, optimizer state)

/** Write `<stem>.bin` and its manifest `<stem>.json` into `dir` (each atomically). */
export function writeTensorFiles(dir: string, stem: string, tensors: readonly NamedTensor[]): void {
  const { entries } = writeTensorFile(path.join(dir, `${stem}.bin`), tensors);
  writeFileAtomic(path.join(dir, `${stem}.json`), JSON.stringify({ format: TENSOR_MANIFEST_FORMAT, tensors: entries }) + '\n');
}

/**
 * `<stem>.json`'s entries. A bare list is the legacy layout (offsets in bytes): its offsets are
 * converted to float32 values, with a one-line notice naming the conversion command.
 */
function readTensorManifest(dir: string, stem: string): { entries: TensorEntry[]; at: ManifestAt; legacy: boolean } {
  const manifest = path.join(dir, `${stem}.json`);
  const raw = readJsonFile<unknown>(manifest, 'the tensor manifest');
  if (Array.isArray(raw)) {
    const at = { manifest, field: '' };
    const entries = parseTensorEntries(raw, at).map((e, i) => {
      if (e.offset % 4 !== 0) throw new UserError(`${manifest}: [${i}].offset: ${e.offset} bytes is not a whole float32 value (this legacy list counts bytes)`);
      return { ...e, offset: e.offset / 4 };
    });
    return { entries, at, legacy: true };
  }
  const m = raw as { format?: unknown; tensors?: unknown } | null;
  if (m === null || typeof m !== 'object') throw new UserError(`${manifest}: expected {format: "${TENSOR_MANIFEST_FORMAT}", tensors: [...]}, found ${JSON.stringify(raw)?.slice(0, 60)}`);
  if (m.format !== TENSOR_MANIFEST_FORMAT) throw new UserError(`${manifest}: format: expected "${TENSOR_MANIFEST_FORMAT}", found ${JSON.stringify(m.format) ?? 'nothing'}`);
  const at = { manifest, field: 'tensors' };
  return { entries: parseTensorEntries(m.tensors, at), at, legacy: false };
}

/** Read `<stem>.json` + `<stem>.bin` from `dir`; see `readTensorFile` for `expected` and `source`. */
export function readTensorFiles(dir: string, stem: string, opts: { expected?: ReadonlyMap<string, readonly number[]>; source?: string } = {}): Map<string, NamedTensor> {
  const { entries, at, legacy } = readTensorManifest(dir, stem);
  const tensors = readTensorFile(path.join(dir, `${stem}.bin`), entries, at, opts);
  if (legacy) deprecationNotice(`tensors\u0000${path.resolve(at.manifest)}`, `cmrp: ${at.manifest}: legacy tensor manifest (a bare list, offsets in bytes), read by converting its offsets; rewrite it once with \`npx cmrp checkpoints convert ${dir}\``);
  return tensors;
}

/**
 * Rewrite a legacy `<stem>.json` (offsets in bytes) in the current layout, after reading it whole
 * (the binary file is not touched). Returns false when it already was current.
 */
export function convertTensorManifest(dir: string, stem: string): boolean {
  const { entries, at, legacy } = readTensorManifest(dir, stem);
  if (!legacy) return false;
  readTensorFile(path.join(dir, `${stem}.bin`), entries, at); // a damaged pair is refused, not rewritten
  writeFileAtomic(at.manifest, JSON.stringify({ format: TENSOR_MANIFEST_FORMAT, tensors: entries }) + '\n');
  return true;
}
