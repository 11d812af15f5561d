/**
 * Seeded pseudo-random numbers. Every random choice in cmrp-lab goes through an `Rng`
 * so that the same seed reproduces the same bytes (datasets, initial weights, samples).
 */

/** The largest seed a config takes (a 32-bit unsigned integer, as `cmrp data synth --seed`). */
export const SEED_MAX = 0xffffffff;

const SEED_MIX = 0x9e3779b9; // mixed into the seed to make the first state
const STEP = 0x6d2b79f5; // what each draw adds to the state

/** The state k draws after `state`: k steps of STEP, mod 2^32 (so skipping costs O(1)). */
function ahead(state: number, k: number): number {
  if (!Number.isInteger(k) || k < 0) throw new Error(`Rng: a skip must be a whole number of draws >= 0, got ${k}`);
  return (state + Math.imul(k % 4294967296, STEP)) >>> 0;
}

/** mulberry32: tiny, fast, and good enough for data synthesis and sampling. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    this.state = (Math.floor(seed) ^ SEED_MIX) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + STEP) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Move past k draws at once: where `next()` called k times would leave this stream. Returns it. */
  skip(k: number): this {
    this.state = ahead(this.state, k);
    return this;
  }

  /**
   * The seed of a stream that draws what this one draws after k more draws (`new Rng(seedAhead(k))`),
   * this one unmoved: another thread can take up the stream at an exact position.
   */
  seedAhead(k = 0): number {
    return (ahead(this.state, k) ^ SEED_MIX) >>> 0; // undoes the constructor's mix
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** k distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new Error(`Rng.sample: asked for ${k} of ${items.length} items`);
    return this.shuffle(items).slice(0, k);
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** An independent child stream, so adding draws in one place does not shift another. */
  fork(label: string): Rng {
    return new Rng(this.forkSeed(label));
  }

  /** The seed of the child stream `fork(label)` would return: a number another thread can rebuild it from. */
  forkSeed(label: string): number {
    let h = 2166136261;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
    return (h ^ Math.floor(this.next() * 4294967296)) >>> 0;
  }
}
