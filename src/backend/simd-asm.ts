/**
 * A tiny WebAssembly assembler: enough of the binary format to write SIMD kernels from TypeScript
 * (there is no C-to-WASM compiler on the machines this project runs on). A module imports the
 * memory of tfjs's WASM backend (`env.memory`), so its kernels read and write tensors in place.
 *
 * Only the instructions the kernels use are here; see the WebAssembly core spec (binary format)
 * and the SIMD proposal for the opcodes.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
type ValType = typeof I32 | typeof F32 | typeof V128;

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function vec(items: number[][]): number[] {
  const out: number[] = [];
  uleb(items.length, out);
  for (const i of items) out.push(...i);
  return out;
}

function section(id: number, body: number[]): number[] {
  const out = [id];
  uleb(body.length, out);
  return out.concat(body);
}

function name(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  const out: number[] = [];
  uleb(b.length, out);
  return out.concat(b);
}

/**
 * for (j = 0; j + 4 <= n; j += 4) vec(); for (; j < n; j++) one(); with `j` an i32 local of f
 * (set to 0 by the caller) and `n` an i32 local or parameter: a SIMD loop and its scalar tail.
 */
export function loop4(f: Fn, n: string, vec: () => void, one: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get('j').i32(4).add().get(n).gtS().brIf(1);
      vec();
      f.inc('j', 4);
      f.br(0);
    }),
  );
  whileBelow(f, 'j', n, one);
}

/** `while (i < n) { body(); i++ }` over i32 locals i and n (i keeps its value on entry). */
export function whileBelow(f: Fn, i: string, n: string, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get(i).get(n).geS().brIf(1);
      body();
      f.inc(i, 1);
      f.br(0);
    }),
  );
}

/** `for (i = 0; i < n; i++) body()`: the row loop of the kernels. */
export function forRows(f: Fn, i: string, n: string, body: () => void): void {
  f.i32(0).set(i);
  whileBelow(f, i, n, body);
}

/** Push the byte address base + 4 j (element j of a float row at local `base`). */
export function at(f: Fn, base: string): Fn {
  return f.get(base).get('j').i32(2).shl().add();
}

/** One function body: locals by name, then instructions appended through the methods. */
export class Fn {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly params: [string, ValType][],
    readonly results: ValType[] = [],
  ) {
    params.forEach(([n], i) => this.index.set(n, i));
  }

  /** Declare a local (after the parameters); returns its name for chaining. */
  local(n: string, t: ValType): string {
    if (this.index.has(n)) throw new Error(`Fn ${this.name}: local ${n} declared twice`);
    this.index.set(n, this.params.length + this.locals.length);
    this.locals.push(t);
    return n;
  }

  private idx(n: string): number {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`Fn ${this.name}: no local ${n}`);
    return i;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  private simd(code: number, ...imm: number[]): this {
    this.code.push(0xfd);
    uleb(code, this.code);
    this.code.push(...imm);
    return this;
  }
  private memarg(align: number, offset: number): number[] {
    const out = [align];
    uleb(offset, out);
    return out;
  }

  get(n: string): this {
    this.code.push(0x20);
    uleb(this.idx(n), this.code);
    return this;
  }
  set(n: string): this {
    this.code.push(0x21);
    uleb(this.idx(n), this.code);
    return this;
  }
  tee(n: string): this {
    this.code.push(0x22);
    uleb(this.idx(n), this.code);
    return this;
  }
  i32(v: number): this {
    this.code.push(0x41);
    sleb(v | 0, this.code);
    return this;
  }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  and(): this {
    return this.op(0x71);
  }
  or(): this {
    return this.op(0x72);
  }
  shl(): this {
    return this.op(0x74);
  }
  eqz(): this {
    return this.op(0x45);
  }
  eq(): this {
    return this.op(0x46);
  }
  ne(): this {
    return this.op(0x47);
  }
  ltS(): this {
    return this.op(0x48);
  }
  gtS(): this {
    return this.op(0x4a);
  }
  leS(): this {
    return this.op(0x4c);
  }
  geS(): this {
    return this.op(0x4e);
  }
  /** local += delta (an i32 local). */
  inc(n: string, delta: number | string): this {
    this.get(n);
    if (typeof delta === 'number') this.i32(delta);
    else this.get(delta);
    return this.add().set(n);
  }

  /** Emit `code()` here: for nesting an operand's instructions inside a chain. */
  seq(code: () => void): this {
    code();
    return this;
  }

  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0b);
  }
  /** if (top of stack) { then } else { otherwise } */
  if(then: () => void, otherwise?: () => void): this {
    this.op(0x04, 0x40);
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d, depth);
  }
  call(fnIndex: number): this {
    this.code.push(0x10);
    uleb(fnIndex, this.code);
    return this;
  }
  drop(): this {
    return this.op(0x1a);
  }

  i32Load(offset = 0): this {
    return this.op(0x28, ...this.memarg(2, offset));
  }
  f32Load(offset = 0): this {
    return this.op(0x2a, ...this.memarg(2, offset));
  }
  f32Store(offset = 0): this {
    return this.op(0x38, ...this.memarg(2, offset));
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Sub(): this {
    return this.op(0x93);
  }
  f32Mul(): this {
    return this.op(0x94);
  }
  f32Max(): this {
    return this.op(0x97);
  }
  f32Div(): this {
    return this.op(0x95);
  }
  f32Sqrt(): this {
    return this.op(0x91);
  }

  v128Load(offset = 0): this {
    return this.simd(0x00, ...this.memarg(4, offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, ...this.memarg(4, offset));
  }
  /** Load one f32 and splat it to all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09, ...this.memarg(2, offset));
  }
  /** Store 8 bytes, lane `lane` (0 or 1) of the v128 as two 64-bit halves. */
  v128Store64Lane(offset: number, lane: number): this {
    return this.simd(0x5b, ...this.memarg(3, offset), lane);
  }
  /** Lanes of two f32x4 (0-3 the first, 4-7 the second) picked into a new f32x4 (i8x16.shuffle). */
  f32x4Shuffle(lanes: [number, number, number, number]): this {
    return this.simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }
  v128Zero(): this {
    return this.simd(0x0c, ...new Array(16).fill(0));
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f32x4ExtractLane(lane: number): this {
    return this.simd(0x1f, lane);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /** a * b + c (relaxed SIMD: fused or not, as the engine likes) */
  relaxedMadd(): this {
    return this.simd(0x105);
  }
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  f32x4Sqrt(): this {
    return this.simd(0xe3);
  }
  /** Sum of the four lanes of a v128 local, pushed as an f32 (lanes 0+1, 2+3, then the two). */
  hsum(v: string): this {
    return this.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add().get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3).f32Add().f32Add();
  }
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  /** pmax(a, b) = a < b ? b : a (no NaN or signed-zero rules; what XNNPACK's clamp, WASM's Relu, uses). */
  f32x4Pmax(): this {
    return this.simd(0xeb);
  }
  /** Lane masks of a > b (all ones or all zeros). */
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  v128And(): this {
    return this.simd(0x4e);
  }

  /** The encoded body (locals + code + end). */
  body(): number[] {
    const groups: number[][] = [];
    for (let i = 0; i < this.locals.length; ) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      const g: number[] = [];
      uleb(j - i, g);
      g.push(this.locals[i]);
      groups.push(g);
      i = j;
    }
    const b = vec(groups).concat(this.code, [0x0b]);
    const out: number[] = [];
    uleb(b.length, out);
    return out.concat(b);
  }
}

/**
 * A module of functions importing `env.memory`. Functions are indexed in the order added
 * (`index` for calls between them); all are exported under their names.
 */
export class Module {
  readonly fns: Fn[] = [];

  fn(name: string, params: [string, ValType][], results: ValType[] = []): Fn {
    const f = new Fn(name, params, results);
    this.fns.push(f);
    return f;
  }

  index(name: string): number {
    const i = this.fns.findIndex((f) => f.name === name);
    if (i < 0) throw new Error(`Module: no function ${name}`);
    return i;
  }

  bytes(): Uint8Array {
    const types = this.fns.map((f) => [0x60, ...vec(f.params.map(([, t]) => [t])), ...vec(f.results.map((t) => [t]))]);
    const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]]); // memory, min 1 page, no max
    const funcs = vec(this.fns.map((_, i) => { const o: number[] = []; uleb(i, o); return o; }));
    const exports = vec(this.fns.map((f, i) => { const o = [...name(f.name), 0x00]; uleb(i, o); return o; }));
    const code = vec(this.fns.map((f) => f.body()));
    return new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vec(types)),
      ...section(2, imports),
      ...section(3, funcs),
      ...section(7, exports),
      ...section(10, code),
    ]);
  }
}
