import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { cosineLr } from '../src/util/schedule';
import { fitLr as judgeLr, FitConfigSchema } from '../src/judges/core/fit';
import { textJudgeLr } from '../src/judges/text/style';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('one schedule: warm-up, cosine to min_lr, min_lr after the end', () => {
  const o = { lr: 1e-3, minLr: 1e-4, warmup: 10, total: 110 };
  close(cosineLr(0, o), 1e-4, 'first warm-up step');
  close(cosineLr(9, o), 1e-3, 'last warm-up step');
  close(cosineLr(10, o), 1e-3, 'peak');
  close(cosineLr(60, o), 5.5e-4, 'half way');
  close(cosineLr(110, o), 1e-4, 'end');
  close(cosineLr(500, o), 1e-4, 'after the end');
});

test("the judges' schedules are that schedule with their own parameters (the formulas they had before, to float rounding)", () => {
  const c = FitConfigSchema.parse({ steps: 200, batch_size: 8, warmup: 10, lr: 3e-3 });
  const before = (step: number) => {
    if (step < c.warmup) return (c.lr * (step + 1)) / c.warmup;
    const t = c.steps > c.warmup ? (step - c.warmup) / (c.steps - c.warmup) : 1;
    return c.lr * (c.min_lr_ratio + (1 - c.min_lr_ratio) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
  };
  const textBefore = (step: number, steps: number, peak: number) => {
    const warm = Math.max(1, Math.round(steps * 0.05));
    if (step < warm) return (peak * (step + 1)) / warm;
    return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * ((step - warm) / Math.max(1, steps - warm)))));
  };
  for (let s = 0; s < 200; s++) {
    close(judgeLr(c, s), before(s), `image judges, step ${s}`);
    close(textJudgeLr(s, 200, 0.05), textBefore(s, 200, 0.05), `text judges, step ${s}`);
  }
});
