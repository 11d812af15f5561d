/**
 * AdamW with optional global-norm gradient clipping, and one training step.
 *
 * Same update as torch.optim.AdamW (bias-corrected moments, decoupled weight decay); with
 * weightDecay 0 it is torch.optim.Adam, the optimizer of torch_tiny.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerKernels, hasKernel, AdamWAttrs } from '../backend/kernels';

registerKernels();

export interface AdamWOptions {
  lr: number; // learning rate
  beta1?: number; // default 0.9
  beta2?: number; // default 0.999 (torch's default)
  eps?: number; // default 1e-8
  weightDecay?: number; // decoupled, applied to the decayed parameters only; default 0
  clipNorm?: number; // clip the global gradient norm to this (default: no clipping)
  /** Which parameters decay (nanoGPT: the matrices, not gains or biases); default rank >= 2. */
  decay?: (v: tf.Variable) => boolean;
}

export class AdamW {
  lr: number;
  private t = 0;
  private readonly state = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();
  private readonly o: Required<Omit<AdamWOptions, 'clipNorm' | 'lr'>> & { clipNorm?: number };

  constructor(opts: AdamWOptions) {
    this.lr = opts.lr;
    this.o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decay: (v) => v.rank >= 2, ...opts };
  }

  /**
   * Apply one update from gradients keyed by variable name (as `tf.variableGrads` returns them).
   * With clipNorm, returns the global gradient norm before clipping (a scalar the caller owns);
   * without, returns null (the norm costs two kernels per parameter).
   */
  step(vars: tf.Variable[], grads: tf.NamedTensorMap): tf.Scalar | null {
    this.t++;
    const { beta1, beta2, eps, weightDecay, clipNorm } = this.o;
    const bc1 = 1 - beta1 ** this.t, bc2 = 1 - beta2 ** this.t;
    const fused = hasKernel('CmrpAdamW');
    const out = tf.tidy(() => {
      const gs = vars.map((v) => {
        const g = grads[v.name];
        if (!g) throw new Error(`AdamW.step: no gradient for variable ${v.name} [${v.shape}]`);
        return g;
      });
      const norm = clipNorm ? (tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g))))) as tf.Scalar) : null;
      // gradient multiplier min(1, clipNorm / norm), kept on the device: no sync
      const gscale = norm ? tf.minimum(1, tf.div(clipNorm!, tf.add(norm, 1e-6))) : tf.scalar(1);
      vars.forEach((p, i) => {
        const s = this.slots(p);
        const wd = weightDecay > 0 && this.o.decay(p) ? weightDecay : 0;
        if (fused) {
          // one JS pass per parameter instead of ~12 elementwise kernels (kernels.ts)
          const attrs: AdamWAttrs = { lr: this.lr, beta1, beta2, eps, weightDecay: wd, bc1, bc2 };
          const [p1, m1, v1] = tf.engine().runKernel('CmrpAdamW', { p, g: gs[i], m: s.m, v: s.v, gscale }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          s.m.assign(m1);
          s.v.assign(v1);
          p.assign(p1);
          return;
        }
        const g = tf.mul(gs[i], gscale);
        const m = tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        s.m.assign(m);
        s.v.assign(v);
        // p = p (1 - lr wd) - lr (m / bc1) / (sqrt(v / bc2) + eps)
        const update = tf.div(tf.mul(m, this.lr / bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        p.assign(tf.sub(wd > 0 ? tf.mul(p, 1 - this.lr * wd) : p, update));
      });
      return norm ? [norm] : [];
    });
    return (out[0] as tf.Scalar | undefined) ?? null;
  }

  /** First and second moment estimates of one parameter, created on first use. */
  private slots(p: tf.Variable): { m: tf.Variable; v: tf.Variable } {
    let s = this.state.get(p);
    if (!s) {
      s = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(p), false), v: tf.variable(tf.zerosLike(p), false) }));
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * Moments as named tensors (`<param>.m`, `<param>.v`) plus the step count, for checkpoints.
   * Names come from the caller (e.g. the model's parameter names): tfjs variable names are
   * process-global counters, not stable across runs.
   */
  exportState(named: Iterable<[string, tf.Variable]>): { t: number; tensors: [string, tf.Tensor][] } {
    const tensors: [string, tf.Tensor][] = [];
    for (const [name, p] of named) {
      const s = this.state.get(p);
      if (s) tensors.push([`${name}.m`, s.m], [`${name}.v`, s.v]);
    }
    return { t: this.t, tensors };
  }

  /** Restore what `exportState` saved (matched by the same names; shapes must agree). */
  importState(named: Iterable<[string, tf.Variable]>, t: number, tensors: Map<string, { shape: number[]; data: Float32Array }>): void {
    this.t = t;
    for (const [name, p] of named) {
      const m = tensors.get(`${name}.m`), v = tensors.get(`${name}.v`);
      if (!m || !v) continue; // a variable that never had a gradient has no moments yet
      if (m.shape.join(',') !== p.shape.join(',')) throw new Error(`AdamW.importState: ${name}.m has shape [${m.shape}], the parameter [${p.shape}]`);
      const s = this.slots(p);
      tf.tidy(() => s.m.assign(tf.tensor(m.data, p.shape)));
      tf.tidy(() => s.v.assign(tf.tensor(v.data, p.shape)));
    }
  }

  dispose(): void {
    for (const s of this.state.values()) tf.dispose([s.m, s.v]);
    this.state.clear();
  }
}

/**
 * One optimization step: loss and gradients of `lossFn` over `vars`, then an AdamW update.
 * Returns the loss value (reading it is the step's one device sync).
 */
export function trainStep(vars: tf.Variable[], opt: AdamW, lossFn: () => tf.Scalar): number {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(lossFn, vars);
    opt.step(vars, grads)?.dispose();
    return value;
  });
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}
