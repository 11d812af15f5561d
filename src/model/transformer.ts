/**
 * The tiny unified model: a decoder-only transformer over one vocabulary of text tokens and
 * discrete image codes (nanoGPT layout, pre-norm, learned positions, tied LM head), with
 * BAGEL-style Mixture-of-Transformers (MoT): every token is routed by its modality id (0 text,
 * 1 image) to that modality's norm + projection weights, while self-attention runs over the whole
 * mixed sequence. `experts: 'dense'` shares one set of weights.
 *
 * The residual stream is kept 2-D, x [N, C] with N = B*T rows, so that every projection is a
 * plain 2-D matMul (the fast path on WASM, see ops.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import { ModelConfig, ModelConfigInput, resolveModelConfig, MODALITY_IMAGE, MODALITY_TEXT } from './config';
import * as ops from './ops';
import type { LoraAdapters } from './lora';

/** Weight-set names a token can be routed to. */
type Expert = 'text' | 'image' | 'shared';
const EXPERT_OF_MODALITY: Record<number, Expert> = { [MODALITY_TEXT]: 'text', [MODALITY_IMAGE]: 'image' };

/** Rows of the [N, C] stream that go to one expert; `idx` null means all rows, in order. */
interface Route {
  expert: Expert;
  idx: tf.Tensor1D | null;
}

/** Keys and values of earlier positions, per layer [B, H, L, hd], for incremental decoding. */
export interface KVCache {
  batch: number;
  length: number; // L: positions already in the cache
  imageRun: Int32Array; // per sequence: image codes at the end of the cache (the next code's grid position)
  k: (tf.Tensor4D | null)[];
  v: (tf.Tensor4D | null)[];
}

export interface GenerateOptions {
  rng: Rng; // sampling randomness
  temperature?: number; // default 1; 0 means greedy
  topK?: number; // keep the k most likely tokens (default: all)
  useCache?: boolean; // KV-cache incremental decoding (default true); false re-runs the whole prefix
  modalityOf?: (token: number) => number; // modality id of a token (default: everything is text)
}

export class Transformer {
  readonly config: ModelConfig;
  /** Parameters by nanoGPT-style name (`wte`, `h.0.attn.c_attn.text.weight`, ...). */
  readonly params = new Map<string, tf.Variable>();
  /** LoRA adapters added to the linear layers (null: none); see lora.ts. */
  adapters: LoraAdapters | null = null;

  constructor(config: ModelConfigInput = {}, seed = 0) {
    this.config = resolveModelConfig(config);
    const c = this.config;
    const C = c.n_embd, F = c.mlp_ratio * C;
    const rng = new Rng(seed);
    const std = c.init_std, projStd = c.init_std / Math.sqrt(2 * c.n_layer);
    const normal = (name: string, shape: number[], s: number) => this.add(name, shape, (r) => r.normal() * s, rng);
    const constant = (name: string, shape: number[], v: number) => this.add(name, shape, () => v, rng);
    normal('wte', [c.vocab_size, C], std);
    // grid image positions: rows block_size.. of the same table hold the image grid's positions
    normal('wpe', [c.block_size + (c.image_positions === 'grid' ? c.image_tokens : 0), C], std);
    const attnExperts = this.experts(c.mot_attention);
    const ffnExperts = this.experts(true);
    for (let l = 0; l < c.n_layer; l++) {
      for (const e of attnExperts) {
        const p = `h.${l}`, s = suffix(e);
        if (c.norm_affine) constant(`${p}.ln_1${s}.weight`, [C], 1);
        normal(`${p}.attn.c_attn${s}.weight`, [C, 3 * C], std);
        normal(`${p}.attn.c_proj${s}.weight`, [C, C], projStd);
        if (c.bias) constant(`${p}.attn.c_attn${s}.bias`, [3 * C], 0), constant(`${p}.attn.c_proj${s}.bias`, [C], 0);
      }
      for (const e of ffnExperts) {
        const p = `h.${l}`, s = suffix(e);
        if (c.norm_affine) constant(`${p}.ln_2${s}.weight`, [C], 1);
        normal(`${p}.mlp.c_fc${s}.weight`, [C, F], std);
        normal(`${p}.mlp.c_proj${s}.weight`, [F, C], projStd);
        if (c.bias) constant(`${p}.mlp.c_fc${s}.bias`, [F], 0), constant(`${p}.mlp.c_proj${s}.bias`, [C], 0);
      }
    }
    if (c.norm_affine) constant('ln_f.weight', [C], 1);
    if (!c.tie_embeddings) normal('lm_head.weight', [c.vocab_size, C], std);
  }

  /** Total number of parameters. */
  numParams(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** The variables, for `tf.variableGrads` and optimizers. */
  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /**
   * ids int32 [B, T], modality int32 [B, T] (0 text, 1 image; default all text) → logits [B, T, V].
   * `training` turns dropout on.
   */
  forward(ids: tf.Tensor2D, modality?: tf.Tensor2D, opts: { training?: boolean } = {}): tf.Tensor3D {
    const [B, T] = ids.shape;
    this.checkInput(ids, modality);
    return tf.tidy(() => {
      const mod = this.modalityRows(modality, B * T);
      const routes = this.routes(mod);
      let x = this.embed(ids, positionRows(this.config, mod, B, T, 0, null), opts.training); // [N, C]
      for (let l = 0; l < this.config.n_layer; l++) {
        const qkv = this.routed(x, routes.attn, (xr, e) => this.linear(this.norm(xr, `h.${l}.ln_1${suffix(e)}`), `h.${l}.attn.c_attn${suffix(e)}`)); // [N, 3C]
        const y = ops.causalSelfAttention(qkv, B, this.config.n_head); // [N, C]
        x = this.addResidual(x, y, routes.attn, opts.training, (yr, e, r) => this.linear(yr, `h.${l}.attn.c_proj${suffix(e)}`, r));
        x = this.addResidual(x, x, routes.ffn, opts.training, (xr, e, r) => this.mlp(xr, l, e, r));
      }
      return tf.reshape(this.head(x), [B, T, this.config.vocab_size]) as tf.Tensor3D;
    });
  }

  /** Mean next-token cross-entropy over rows where mask = 1 (all rows without a mask). */
  loss(ids: tf.Tensor2D, targets: tf.Tensor2D, opts: { mask?: tf.Tensor2D; modality?: tf.Tensor2D; training?: boolean } = {}): tf.Scalar {
    return tf.tidy(() => ops.maskedCrossEntropy(this.forward(ids, opts.modality, { training: opts.training ?? true }), targets, opts.mask));
  }

  /**
   * Per-sequence sum of log p(targets) over positions where mask = 1: ids, targets, mask [B, T] → [B].
   * GRPO's policy ratio and multiple-choice scoring are built on it.
   */
  logProbs(ids: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor2D, modality?: tf.Tensor2D): tf.Tensor1D {
    const [B, T] = ids.shape;
    return tf.tidy(() => {
      const logits = tf.reshape(this.forward(ids, modality), [B * T, this.config.vocab_size]) as tf.Tensor2D;
      const lp = ops.tokenLogProbs(logits, tf.reshape(targets, [B * T]) as tf.Tensor1D); // [N]
      return tf.sum(tf.mul(tf.reshape(lp, [B, T]), tf.cast(mask, 'float32')), 1) as tf.Tensor1D;
    });
  }

  /** An empty KV cache for `batch` sequences. */
  createCache(batch: number): KVCache {
    const n = this.config.n_layer;
    return { batch, length: 0, imageRun: new Int32Array(batch), k: new Array(n).fill(null), v: new Array(n).fill(null) };
  }

  disposeCache(cache: KVCache): void {
    tf.dispose([...cache.k, ...cache.v].filter((t): t is tf.Tensor4D => t != null));
    cache.k.fill(null);
    cache.v.fill(null);
    cache.length = 0;
    cache.imageRun.fill(0);
  }

  /**
   * Feed t new tokens per sequence (ids, modality [B, t]) after the cache's L positions; returns
   * their logits [B, t, V] and extends the cache to L + t. Inference only (no dropout, no tape).
   */
  decodeStep(ids: tf.Tensor2D, cache: KVCache, modality?: tf.Tensor2D): tf.Tensor3D {
    const [B, t] = ids.shape;
    const c = this.config;
    const L = cache.length, H = c.n_head, C = c.n_embd, hd = C / H;
    if (B !== cache.batch) throw new Error(`decodeStep: ids batch ${B} but cache batch ${cache.batch}`);
    if (L + t > c.block_size) throw new Error(`decodeStep: ${L} cached + ${t} new positions exceed block_size ${c.block_size}`);
    this.checkInput(ids, modality);
    const mod = this.modalityRows(modality, B * t);
    const run = Int32Array.from(cache.imageRun);
    const out = tf.tidy(() => {
      const routes = this.routes(mod);
      const bias = decodeMask(L, t); // [t, L + t]
      const ks: tf.Tensor4D[] = [], vs: tf.Tensor4D[] = [];
      let x = this.embed(ids, positionRows(this.config, mod, B, t, L, run), false); // [B*t, C]
      for (let l = 0; l < c.n_layer; l++) {
        const qkv = this.routed(x, routes.attn, (xr, e) => this.linear(this.norm(xr, `h.${l}.ln_1${suffix(e)}`), `h.${l}.attn.c_attn${suffix(e)}`)); // [B*t, 3C]
        const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [B, t, 3, H, hd]), [2, 0, 3, 1, 4])) as tf.Tensor4D[]; // [B, H, t, hd]
        const K = cache.k[l] ? tf.concat([cache.k[l]!, k], 2) : k; // [B, H, L+t, hd]
        const V = cache.v[l] ? tf.concat([cache.v[l]!, v], 2) : v;
        ks.push(K as tf.Tensor4D);
        vs.push(V as tf.Tensor4D);
        const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, K, false, true), 1 / Math.sqrt(hd)), bias), -1); // [B, H, t, L+t]
        const y = tf.reshape(tf.transpose(tf.matMul(att, V), [0, 2, 1, 3]), [B * t, C]) as tf.Tensor2D; // [B*t, C]
        x = tf.add(x, this.routed(y, routes.attn, (yr, e) => this.linear(yr, `h.${l}.attn.c_proj${suffix(e)}`)));
        x = tf.add(x, this.routed(x, routes.ffn, (xr, e) => this.mlp(xr, l, e)));
      }
      return { logits: tf.reshape(this.head(x), [B, t, c.vocab_size]) as tf.Tensor3D, ks, vs };
    });
    this.disposeCache(cache);
    // keep: the cache outlives any tidy() the caller runs this step in
    cache.k = out.ks.map((t) => tf.keep(t));
    cache.v = out.vs.map((t) => tf.keep(t));
    cache.length = L + t;
    cache.imageRun.set(run); // positionRows advanced it past the new tokens
    return out.logits;
  }

  /**
   * Sample `maxNewTokens` continuations of equal-length prompts (token ids, [B][T0]); returns the
   * new tokens [B][maxNewTokens]. With the cache, prompt + new tokens must fit in block_size;
   * without it, the context is cropped to the last block_size tokens (nanoGPT).
   */
  generate(prompts: number[][], maxNewTokens: number, opts: GenerateOptions): number[][] {
    const B = prompts.length;
    const T0 = prompts[0]?.length ?? 0;
    if (B === 0 || T0 === 0 || prompts.some((p) => p.length !== T0)) throw new Error('generate: prompts must be non-empty and of equal length');
    const modalityOf = opts.modalityOf ?? (() => MODALITY_TEXT);
    const useCache = opts.useCache ?? true;
    const seqs = prompts.map((p) => p.slice());
    const out: number[][] = prompts.map(() => []);
    const cache = useCache ? this.createCache(B) : null;
    if (cache && T0 + maxNewTokens > this.config.block_size) throw new Error(`generate: ${T0} + ${maxNewTokens} tokens exceed block_size ${this.config.block_size}; use useCache: false to crop`);
    try {
      for (let step = 0; step < maxNewTokens; step++) {
        const feed = cache ? seqs.map((s) => s.slice(cache.length)) : seqs.map((s) => s.slice(-this.config.block_size));
        const last = tf.tidy(() => {
          const ids = tf.tensor2d(feed, undefined, 'int32');
          const mod = tf.tensor2d(feed.map((s) => s.map(modalityOf)), undefined, 'int32');
          const logits = cache ? this.decodeStep(ids, cache, mod) : this.forward(ids, mod);
          const tn = logits.shape[1];
          return tf.reshape(tf.slice(logits, [0, tn - 1, 0], [B, 1, this.config.vocab_size]), [B, this.config.vocab_size]);
        });
        const rows = last.arraySync() as number[][];
        last.dispose();
        rows.forEach((row, b) => {
          const tok = sampleLogits(row, opts);
          seqs[b].push(tok);
          out[b].push(tok);
        });
      }
    } finally {
      if (cache) this.disposeCache(cache);
    }
    return out;
  }

  dispose(): void {
    tf.dispose([...this.params.values()]);
    this.params.clear();
  }

  // ---- building blocks ------------------------------------------------------------------

  private add(name: string, shape: number[], init: (r: Rng) => number, rng: Rng): void {
    const r = rng.fork(name);
    const a = new Float32Array(shape.reduce((p, n) => p * n, 1));
    for (let i = 0; i < a.length; i++) a[i] = init(r);
    // unnamed: tfjs variable names are process-global, and tests build many models
    // tidy frees the initial value (the variable keeps its own reference to the data)
    this.params.set(name, tf.tidy(() => tf.variable(tf.tensor(a, shape), true)));
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`Transformer: no parameter ${name}`);
    return v;
  }

  private experts(perModality: boolean): Expert[] {
    return this.config.experts === 'mot' && perModality ? ['text', 'image'] : ['shared'];
  }

  private checkInput(ids: tf.Tensor2D, modality?: tf.Tensor2D): void {
    if (ids.rank !== 2) throw new Error(`ids must be [B, T], got [${ids.shape}]`);
    if (ids.shape[1] > this.config.block_size) throw new Error(`sequence length ${ids.shape[1]} exceeds block_size ${this.config.block_size}`);
    if (modality && !tf.util.arraysEqual(modality.shape, ids.shape)) throw new Error(`modality [${modality.shape}] must match ids [${ids.shape}]`);
  }

  /** Modality id of each of the N = B*T rows (all text without a modality input). */
  private modalityRows(modality: tf.Tensor2D | undefined, N: number): Int32Array {
    return modality ? (modality.dataSync() as Int32Array) : new Int32Array(N);
  }

  /** Which rows go to which expert, for the attention projections and for the FFN. */
  private routes(mod: Int32Array): { attn: Route[]; ffn: Route[] } {
    if (this.config.experts === 'dense') return { attn: [{ expert: 'shared', idx: null }], ffn: [{ expert: 'shared', idx: null }] };
    const rows = new Map<Expert, number[]>();
    mod.forEach((m, i) => {
      const e = EXPERT_OF_MODALITY[m];
      if (!e) throw new Error(`modality id ${m} at row ${i}: expected ${MODALITY_TEXT} (text) or ${MODALITY_IMAGE} (image)`);
      if (!rows.has(e)) rows.set(e, []);
      rows.get(e)!.push(i);
    });
    // one modality only: no gather/merge at all
    const ffn: Route[] = [...rows].map(([expert, r]) => ({ expert, idx: rows.size === 1 ? null : tf.tensor1d(r, 'int32') }));
    return { attn: this.config.mot_attention ? ffn : [{ expert: 'shared', idx: null }], ffn };
  }

  /** Apply `f` to each expert's rows of x [N, C'] and put the results back in row order. */
  private routed(x: tf.Tensor2D, routes: Route[], f: (x: tf.Tensor2D, e: Expert) => tf.Tensor2D): tf.Tensor2D {
    if (routes.length === 1 && routes[0].idx === null) return f(x, routes[0].expert);
    const idx = routes.map((r) => r.idx!);
    return ops.mergeRows(routes.map((r, i) => f(ops.gatherRows(x, idx[i]), r.expert)), idx);
  }

  /**
   * x + dropout(f(input)) over the routes: where one expert takes all rows and no dropout runs, f
   * gets x as its residual and adds it in its last product's epilogue (ops.linear / ops.mlp: one
   * kernel and one tape node fewer, the same values); else a tfjs Add after the merged rows.
   */
  private addResidual(x: tf.Tensor2D, input: tf.Tensor2D, routes: Route[], training: boolean | undefined, f: (xr: tf.Tensor2D, e: Expert, residual?: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
    if (routes.length === 1 && routes[0].idx === null && !(training && this.config.dropout > 0)) return f(input, routes[0].expert, x);
    return tf.add(x, this.dropout(this.routed(input, routes, (xr, e) => f(xr, e)), training));
  }

  /** Token + position embeddings (rows of the position table per token, see positionRows) → [B*T, C]. */
  private embed(ids: tf.Tensor2D, positions: Int32Array, training?: boolean): tf.Tensor2D {
    const [B, T] = ids.shape;
    const C = this.config.n_embd;
    const tok = ops.embedding(ids, this.p('wte') as tf.Tensor2D); // [B, T, C]
    const pos = ops.embedding(tf.tensor2d(positions, [B, T], 'int32'), this.p('wpe') as tf.Tensor2D); // [B, T, C]
    return this.dropout(tf.reshape(tf.add(tok, pos), [B * T, C]) as tf.Tensor2D, training);
  }

  private norm(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const gain = this.config.norm_affine ? (this.p(`${name}.weight`) as tf.Tensor1D) : undefined;
    return (this.config.norm === 'rmsnorm' ? ops.rmsNorm(x, gain) : ops.layerNorm(x, gain)) as tf.Tensor2D;
  }

  /** x @ weight (+ bias, + LoRA); plus `residual` where given (in the product's epilogue when nothing else is added). */
  private linear(x: tf.Tensor2D, name: string, residual?: tf.Tensor2D): tf.Tensor2D {
    const bias = this.config.bias ? (this.p(`${name}.bias`) as tf.Tensor1D) : undefined;
    const lora = this.adapters?.of(name);
    if (residual && !bias && !lora) return ops.linear(x, this.p(`${name}.weight`) as tf.Tensor2D, undefined, { residual }) as tf.Tensor2D;
    let y = ops.linear(x, this.p(`${name}.weight`) as tf.Tensor2D, bias) as tf.Tensor2D;
    if (lora) {
      // two plain 2-D matMuls through ops.linear (its gradient avoids the slow transposed matMul)
      const low = ops.linear(ops.linear(x, lora[0] as tf.Tensor2D), lora[1] as tf.Tensor2D) as tf.Tensor2D;
      y = tf.add(y, tf.mul(low, this.adapters!.scale));
    }
    return residual ? (tf.add(residual, y) as tf.Tensor2D) : y;
  }

  private mlp(x: tf.Tensor2D, l: number, e: Expert, residual?: tf.Tensor2D): tf.Tensor2D {
    const s = suffix(e);
    const fc = `h.${l}.mlp.c_fc${s}`, proj = `h.${l}.mlp.c_proj${s}`;
    const xn = this.norm(x, `h.${l}.ln_2${s}`);
    // one fused op where nothing is added to the two products (no biases, no LoRA on them): ops.mlp
    if (!this.config.bias && !this.adapters?.of(fc) && !this.adapters?.of(proj)) {
      return ops.mlp(xn, this.p(`${fc}.weight`) as tf.Tensor2D, this.p(`${proj}.weight`) as tf.Tensor2D, residual);
    }
    const h = ops.relu(this.linear(xn, fc)) as tf.Tensor2D; // [n, F]
    return this.linear(h, proj, residual); // [n, C]
  }

  /** Final norm and LM head: x [N, C] → logits [N, V]. */
  private head(x: tf.Tensor2D): tf.Tensor2D {
    const h = this.norm(x, 'ln_f');
    const table = this.p(this.config.tie_embeddings ? 'wte' : 'lm_head.weight') as tf.Tensor2D; // [V, C]
    return ops.linear(h, table, undefined, { transposeW: true }) as tf.Tensor2D;
  }

  private dropout<T extends tf.Tensor>(x: T, training?: boolean): T {
    return training && this.config.dropout > 0 ? (tf.dropout(x, this.config.dropout) as T) : x;
  }
}

/**
 * Row of the position table for each token [B, T]: text at its sequence position pos0 + t; with
 * grid image positions, the k-th code of a run of image codes at block_size + k, so a drawing
 * looks the same to the model wherever its prompt ends. `run` carries each sequence's count of
 * image codes just before this chunk (KV-cache decoding) and is advanced in place; null: none.
 */
export function positionRows(c: ModelConfig, mod: Int32Array, B: number, T: number, pos0: number, run: Int32Array | null): Int32Array {
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    let k = run ? run[b] : 0;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (c.image_positions === 'grid' && mod[i] === MODALITY_IMAGE) {
        if (k >= c.image_tokens) throw new Error(`image code ${k + 1} in a row at position ${pos0 + t}: an image has ${c.image_tokens} codes (image_tokens)`);
        out[i] = c.block_size + k++;
      } else {
        out[i] = pos0 + t;
        k = 0;
      }
    }
    if (run) run[b] = k;
  }
  return out;
}

function suffix(e: Expert): string {
  return e === 'shared' ? '' : `.${e}`;
}

/** Additive mask [t, L+t]: query i (absolute position L+i) sees keys 0..L+i. */
function decodeMask(L: number, t: number): tf.Tensor2D {
  const a = new Float32Array(t * (L + t));
  for (let i = 0; i < t; i++) for (let j = L + i + 1; j < L + t; j++) a[i * (L + t) + j] = -1e9;
  return tf.tensor2d(a, [t, L + t]);
}

/** Sample one token from a row of logits (temperature, top-k) with the caller's Rng. */
export function sampleLogits(logits: number[], opts: { rng: Rng; temperature?: number; topK?: number }): number {
  const temp = opts.temperature ?? 1;
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (temp === 0) return best;
  let order = logits.map((_, i) => i);
  if (opts.topK && opts.topK < logits.length) order = order.sort((a, b) => logits[b] - logits[a]).slice(0, opts.topK);
  const w = order.map((i) => Math.exp((logits[i] - logits[best]) / temp));
  let u = opts.rng.next() * w.reduce((s, x) => s + x, 0);
  for (let k = 0; k < order.length; k++) {
    u -= w[k];
    if (u <= 0) return order[k];
  }
  return order[order.length - 1];
}
