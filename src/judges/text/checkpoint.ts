/**
 * Float32 tensors in one little-endian binary file plus their manifest entries, and the checks
 * that turn a damaged checkpoint into one clear `UserError` line (file, field, expectation).
 * Byte order is the machine's (little-endian on every platform Node supports in practice).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../util/errors';
import { jsonErrorMessage, writeFileAtomic } from '../../util/fs';

export interface TensorEntry {
  readonly name: string;
  readonly shape: number[];
  /** Offset in float32 elements from the start of the binary file. */
  readonly offset: number;
}

/** Write named tensors to `file` (atomically) and return their manifest entries. */
export function writeTensors(file: string, tensors: ReadonlyArray<{ name: string; shape: number[]; data: Float32Array }>): TensorEntry[] {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`writeTensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    entries.push({ name: t.name, shape: t.shape, offset });
    offset += n;
  }
  writeFileAtomic(file, Buffer.concat(tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))));
  return entries;
}

/** Read the tensors a manifest lists; every mismatch is a UserError naming the file. */
export function readTensors(file: string, entries: unknown, expected: Record<string, number[]>, manifestFile: string, field: string): Record<string, Float32Array> {
  if (!Array.isArray(entries)) throw new UserError(`${manifestFile}: ${field}: expected a list of tensors, found ${JSON.stringify(entries)?.slice(0, 60)}`);
  if (!fs.existsSync(file)) throw new UserError(`${file}: missing (the weights ${path.basename(manifestFile)} refers to)`);
  const buf = fs.readFileSync(file);
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(expected)) {
    const e = (entries as TensorEntry[]).find((x) => x && x.name === name);
    if (!e) throw new UserError(`${manifestFile}: ${field}: tensor "${name}" is missing`);
    if (!Array.isArray(e.shape) || e.shape.join(',') !== shape.join(',')) {
      throw new UserError(`${manifestFile}: ${field}.${name}.shape: expected [${shape}] (from the saved config), found ${JSON.stringify(e.shape)}`);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(e.offset) || e.offset < 0 || (e.offset + n) * 4 > buf.length) {
      throw new UserError(`${file}: expected at least ${(e.offset + n) * 4} bytes for tensor "${name}" at offset ${e.offset}, found ${buf.length} (truncated?)`);
    }
    const a = new Float32Array(buf.buffer.slice(buf.byteOffset + e.offset * 4, buf.byteOffset + (e.offset + n) * 4));
    const bad = a.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new UserError(`${file}: tensor "${name}" holds a non-finite value at element ${bad}`);
    out[name] = a;
  }
  const used = Object.values(expected).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  if (used * 4 !== buf.length) throw new UserError(`${file}: expected ${used * 4} bytes (the tensors ${path.basename(manifestFile)} lists), found ${buf.length}`);
  return out;
}

/** Parse a JSON file; a missing or unparsable file is one UserError line. */
export function readJson(file: string, what: string): unknown {
  if (!fs.existsSync(file)) throw new UserError(`${file}: missing; expected ${what}`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${jsonErrorMessage(err)}); expected ${what}`);
  }
}
