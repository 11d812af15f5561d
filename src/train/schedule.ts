/** Learning-rate schedule: linear warm-up, then cosine decay to min_lr (nanoGPT's). */
export function cosineLr(step: number, opts: { lr: number; minLr: number; warmup: number; total: number }): number {
  if (step < opts.warmup) return (opts.lr * (step + 1)) / opts.warmup;
  if (step >= opts.total) return opts.minLr;
  const ratio = (step - opts.warmup) / Math.max(1, opts.total - opts.warmup);
  return opts.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (opts.lr - opts.minLr);
}
