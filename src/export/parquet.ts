/**
 * The official text-to-image loader (UniCharacter data/t2i_dataset.py, T2IIterableDataset) reads
 * parquet, not jsonl: every `*.parquet` in the dataset's `data_dir`, with a binary column `image`
 * (the encoded PNG) and a string column `captions` (a JSON object whose values are the captions;
 * one is drawn per sample). The release ships `<P>_<kind>_parquet/chunk_000.parquet` next to each
 * t2i jsonl, and its repository holds no converter; so the export writes them itself.
 *
 * This is the smallest parquet that pyarrow reads: format version 1, one row group, two REQUIRED
 * BYTE_ARRAY columns (`captions` annotated UTF8), one PLAIN-encoded, uncompressed data page each,
 * file metadata in Thrift's compact protocol. `readParquet` reads back exactly this subset (tests).
 */

// ---------- Thrift compact protocol (only what parquet's metadata needs) ----------

const T = { TRUE: 1, FALSE: 2, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

type TValue = number | bigint | string | Uint8Array | boolean | TStruct | TList;
/** A struct: field id -> value (field order = id order). */
export interface TStruct { kind: 'struct'; fields: Map<number, TValue> }
interface TList { kind: 'list'; elemType: number; items: TValue[] }

const struct = (entries: [number, TValue | undefined][]): TStruct => ({
  kind: 'struct',
  fields: new Map(entries.filter((e): e is [number, TValue] => e[1] !== undefined)),
});
const list = (elemType: number, items: TValue[]): TList => ({ kind: 'list', elemType, items });

class Writer {
  private readonly bytes: number[] = [];
  varint(v: bigint): void {
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if (v === 0n) return void this.bytes.push(b);
      this.bytes.push(b | 0x80);
    }
  }
  zigzag(v: bigint): void {
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  raw(b: Uint8Array | number[]): void {
    for (const x of b) this.bytes.push(x);
  }
  binary(b: Uint8Array): void {
    this.varint(BigInt(b.length));
    this.raw(b);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Every integer field of parquet's metadata is i32 or i64; i64 fields are given as bigint. */
function typeOf(v: TValue): number {
  if (typeof v === 'boolean') return v ? T.TRUE : T.FALSE;
  if (typeof v === 'number') return T.I32;
  if (typeof v === 'bigint') return T.I64;
  if (typeof v === 'string' || v instanceof Uint8Array) return T.BINARY;
  return v.kind === 'struct' ? T.STRUCT : T.LIST;
}

function writeValue(w: Writer, v: TValue): void {
  if (typeof v === 'boolean') return; // encoded in the field header
  if (typeof v === 'number') return w.zigzag(BigInt(v));
  if (typeof v === 'bigint') return w.zigzag(v);
  if (typeof v === 'string') return w.binary(new TextEncoder().encode(v));
  if (v instanceof Uint8Array) return w.binary(v);
  if (v.kind === 'list') {
    const n = v.items.length;
    if (n < 15) w.raw([(n << 4) | v.elemType]);
    else (w.raw([0xf0 | v.elemType]), w.varint(BigInt(n)));
    for (const x of v.items) writeValue(w, x);
    return;
  }
  let last = 0;
  for (const [id, x] of [...v.fields].sort((a, b) => a[0] - b[0])) {
    const t = typeOf(x);
    const delta = id - last;
    if (delta > 0 && delta <= 15) w.raw([(delta << 4) | t]);
    else (w.raw([t]), w.zigzag(BigInt(id)));
    writeValue(w, x);
    last = id;
  }
  w.raw([0]); // stop
}

export function encodeStruct(s: TStruct): Uint8Array {
  const w = new Writer();
  writeValue(w, s);
  return w.done();
}

// ---------- parquet ----------

const MAGIC = new TextEncoder().encode('PAR1');
const BYTE_ARRAY = 6;
const REQUIRED = 0;
const UTF8 = 0;
const PLAIN = 0;
const RLE = 3;
const UNCOMPRESSED = 0;
const DATA_PAGE = 0;

export interface ParquetColumn {
  name: string;
  /** true: a UTF8 string column; false: plain binary. */
  utf8: boolean;
  values: Uint8Array[];
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** PLAIN BYTE_ARRAY values: each a 4-byte little-endian length, then the bytes. */
function plainByteArrays(values: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(values.reduce((a, v) => a + 4 + v.length, 0));
  let at = 0;
  for (const v of values) {
    out.set(u32le(v.length), at);
    out.set(v, at + 4);
    at += 4 + v.length;
  }
  return out;
}

/** A parquet file holding `columns` (all of the same length) as one row group. */
export function writeParquet(columns: ParquetColumn[]): Uint8Array {
  const rows = columns[0]?.values.length ?? 0;
  if (columns.some((c) => c.values.length !== rows)) throw new Error('writeParquet: columns differ in length');
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const chunks: TStruct[] = [];
  let totalBytes = 0;
  for (const col of columns) {
    const data = plainByteArrays(col.values);
    const header = encodeStruct(struct([
      [1, DATA_PAGE],
      [2, data.length],
      [3, data.length],
      [5, struct([[1, rows], [2, PLAIN], [3, RLE], [4, RLE]])],
    ]));
    const size = BigInt(header.length + data.length);
    const pageOffset = BigInt(offset);
    parts.push(header, data);
    offset += header.length + data.length;
    totalBytes += header.length + data.length;
    chunks.push(struct([
      [2, pageOffset],
      [3, struct([
        [1, BYTE_ARRAY],
        [2, list(T.I32, [PLAIN, RLE])],
        [3, list(T.BINARY, [col.name])],
        [4, UNCOMPRESSED],
        [5, BigInt(rows)],
        [6, size],
        [7, size],
        [9, pageOffset],
      ])],
    ]));
  }
  const schema = [
    struct([[4, 'schema'], [5, columns.length]]),
    ...columns.map((c) => struct([[1, BYTE_ARRAY], [3, REQUIRED], [4, c.name], [6, c.utf8 ? UTF8 : undefined]])),
  ];
  const meta = encodeStruct(struct([
    [1, 1],
    [2, list(T.STRUCT, schema)],
    [3, BigInt(rows)],
    [4, list(T.STRUCT, [struct([[1, list(T.STRUCT, chunks)], [2, BigInt(totalBytes)], [3, BigInt(rows)]])])],
    [6, 'cmrp-lab export'],
  ]));
  parts.push(meta, u32le(meta.length), MAGIC);
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

// ---------- reading back (the subset written above) ----------

class Reader {
  at: number;
  constructor(readonly b: Uint8Array, at = 0) {
    this.at = at;
  }
  byte(): number {
    if (this.at >= this.b.length) throw new Error('parquet: truncated metadata');
    return this.b[this.at++];
  }
  varint(): bigint {
    let v = 0n, shift = 0n;
    for (;;) {
      const x = this.byte();
      v |= BigInt(x & 0x7f) << shift;
      if (!(x & 0x80)) return v;
      shift += 7n;
    }
  }
  zigzag(): bigint {
    const v = this.varint();
    return v & 1n ? -((v + 1n) >> 1n) : v >> 1n;
  }
  value(t: number): unknown {
    switch (t) {
      case T.TRUE: return true;
      case T.FALSE: return false;
      case T.I32: case T.I64: case 4: return Number(this.zigzag());
      case 3: return this.byte();
      case T.BINARY: {
        const n = Number(this.varint());
        const v = this.b.subarray(this.at, this.at + n);
        this.at += n;
        return v;
      }
      case T.LIST: case 10: {
        const h = this.byte();
        const n = h >> 4 === 15 ? Number(this.varint()) : h >> 4;
        return Array.from({ length: n }, () => this.value(h & 15));
      }
      case T.STRUCT: return this.struct();
      default: throw new Error(`parquet: unsupported thrift type ${t}`);
    }
  }
  struct(): Map<number, unknown> {
    const out = new Map<number, unknown>();
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return out;
      const t = h & 15;
      const id = h >> 4 ? last + (h >> 4) : Number(this.zigzag());
      out.set(id, this.value(t));
      last = id;
    }
  }
}

/** The columns of a parquet file written by `writeParquet`: name -> values (strings for UTF8 columns). */
export function readParquet(file: Uint8Array): Map<string, (string | Uint8Array)[]> {
  const tail = new TextDecoder().decode(file.subarray(file.length - 4));
  if (new TextDecoder().decode(file.subarray(0, 4)) !== 'PAR1' || tail !== 'PAR1') throw new Error('parquet: not a parquet file (no PAR1 magic)');
  const len = new DataView(file.buffer, file.byteOffset + file.length - 8, 4).getUint32(0, true);
  const meta = new Reader(file, file.length - 8 - len).struct();
  const schema = meta.get(2) as Map<number, unknown>[];
  const leaves = schema.slice(1);
  const groups = meta.get(4) as Map<number, unknown>[];
  const out = new Map<string, (string | Uint8Array)[]>();
  leaves.forEach((leaf, k) => {
    const name = new TextDecoder().decode(leaf.get(4) as Uint8Array);
    const utf8 = leaf.get(6) === UTF8;
    const values: (string | Uint8Array)[] = [];
    for (const g of groups) {
      const chunk = (g.get(1) as Map<number, unknown>[])[k];
      const cm = chunk.get(3) as Map<number, unknown>;
      if (cm.get(4) !== UNCOMPRESSED) throw new Error('parquet: compressed pages are not supported');
      const r = new Reader(file, cm.get(9) as number);
      const header = r.struct();
      const page = header.get(5) as Map<number, unknown>;
      let at = r.at;
      const end = at + (header.get(3) as number);
      for (let i = 0; i < (page.get(1) as number); i++) {
        const n = new DataView(file.buffer, file.byteOffset + at, 4).getUint32(0, true);
        const v = file.subarray(at + 4, at + 4 + n);
        values.push(utf8 ? new TextDecoder().decode(v) : v);
        at += 4 + n;
      }
      if (at !== end) throw new Error(`parquet: column ${name}: page size mismatch`);
    }
    out.set(name, values);
  });
  return out;
}
