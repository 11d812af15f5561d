/**
 * Finite or nothing: a trainer stops at the first step whose loss or gradient norm is NaN or
 * infinite, with one line naming the step and the likely cause, before anything is saved (a
 * diverged model is never written: model/checkpoint.ts refuses non-finite tensors as well).
 */
import { UserError } from '../util/errors';

export class DivergedError extends UserError {}

/** Throws DivergedError unless `value` is finite. `lastSaved` is the step of the checkpoint on disk, if any. */
export function assertFiniteStep(what: string, value: number, step: number, o: { lr: number; lastSaved?: number; hint?: string }): void {
  if (Number.isFinite(value)) return;
  const kept = o.lastSaved === undefined ? 'no checkpoint is written from it' : o.lastSaved ? `the checkpoint of step ${o.lastSaved} is kept` : 'nothing was saved';
  throw new DivergedError(
    `step ${step}: ${what} is ${value} (not finite): the run diverged; likely cause: ${o.hint ?? `a learning rate too high for this model (lr ${o.lr})`}; stopped, ${kept}`,
  );
}
