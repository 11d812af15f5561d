/**
 * The one learning-rate schedule (nanoGPT's): linear warm-up, then cosine decay to min_lr. Used by
 * pretraining and SFT (train/lm-trainer.ts) and by the image and text judges' training loops.
 */
export function cosineLr(step: number, opts: { lr: number; minLr: number; warmup: number; total: number }): number {
  if (step < opts.warmup) return (opts.lr * (step + 1)) / opts.warmup;
  if (step >= opts.total) return opts.minLr;
  const ratio = (step - opts.warmup) / Math.max(1, opts.total - opts.warmup);
  return opts.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (opts.lr - opts.minLr);
}
