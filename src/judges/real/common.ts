/**
 * What `cmrp judges train-real` and `report-real` share (train.ts, report.ts): the config, the
 * manifest section and report shapes, and reading a RoleScape-20 folder's images.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { loadRoleScape } from '../../data/rolescape';
import { UserError } from '../../util/errors';
import { FitConfigSchema } from '../core/fit';
import { IdentityConfigSchema, IdentityVariant } from '../image/identity';
import { AugmentConfigSchema, RealImage, readRealImages } from './views';
import { RealIdentityEval, RealImages } from './eval';

export const REAL_REPORT_FORMAT = 'cmrp-real-judges-report/1';

export const RealJudgesConfigSchema = z
  .object({
    init: z.enum(['base', 'scratch']).default('base'), // start from the base identity judge's weights, or from a fresh init
    model: IdentityConfigSchema.partial().strict().default({}), // identity config over the base judge's (architecture keys only with init: scratch)
    fit: FitConfigSchema.partial().default({}), // overrides of REAL_FIT_DEFAULTS
    augment: AugmentConfigSchema.default({}), // training views (views.ts)
  })
  .strict();
export type RealJudgesConfig = z.infer<typeof RealJudgesConfigSchema>;
export type RealJudgesConfigInput = z.input<typeof RealJudgesConfigSchema>;

/** 400 steps of up to 16 characters x 4 views (all 14 on the shared copy): 40-60 s on one WASM core (42 s measured, 2-core machine under load). */
export const REAL_FIT_DEFAULTS = { steps: 400, batch_size: 64, lr: 1e-3, warmup: 30 };
/** `--smoke`: seconds. */
export const REAL_SMOKE_CONFIG: RealJudgesConfigInput = { fit: { steps: 12, batch_size: 32, warmup: 3 } };
export const ARCHITECTURE_KEYS = ['encoder', 'embed_dim', 'proj_hidden'] as const;

export interface RealManifest {
  dataDir: string;
  split: 'train';
  evalSplit: 'test';
  characters: Array<{ id: string; trainImages: number; testImages: number }>;
  config: RealJudgesConfig;
  seed: number;
  smoke: boolean;
  baseJudges: { dir: string; identitySha256: string };
  /** Characters whose images the identity judge never trained on (leave-the-character-out held-out judges); absent: none. */
  leftOut?: string[];
}

export interface RealJudgesReport {
  format: string;
  seed: number;
  smoke: boolean;
  data: { dir: string; characters: RealManifest['characters']; trainImages: number; testImages: number };
  chanceTop1: number;
  retrained: Record<IdentityVariant, RealIdentityEval>;
  base: Record<IdentityVariant, RealIdentityEval>;
  baseJudges: string;
  training: Record<string, unknown> | null;
  seconds: number;
}

export function resolveRealConfig(smoke: boolean, overrides: RealJudgesConfigInput = {}): RealJudgesConfig {
  const base = smoke ? REAL_SMOKE_CONFIG : {};
  const merged = { ...base, ...overrides, fit: { ...base.fit, ...overrides.fit } };
  const r = RealJudgesConfigSchema.safeParse(merged);
  if (!r.success) throw new UserError(`real judges config: ${r.error.issues[0].path.join('.') || '(root)'}: ${r.error.issues[0].message}`);
  return r.data;
}

export interface RealData extends RealImages {
  root: string;
  sources: RealImage[][];
}

/** Every character's train and test images of a RoleScape-20 folder (read only). */
export async function loadRealData(dataDir: string, sourceSize: number): Promise<RealData> {
  if (!fs.existsSync(dataDir)) throw new UserError(`--data: ${dataDir}: no such folder`);
  if (!fs.existsSync(path.join(dataDir, 'train'))) throw new UserError(`--data: ${dataDir}: not a RoleScape-20 folder (no train/ folder with one sub-folder per character)`);
  const { characters } = await loadRoleScape(dataDir);
  const withImages = characters.filter((c) => c.images.train.length > 0);
  if (withImages.length < 2) throw new UserError(`--data: ${dataDir}: need at least 2 characters with training images, found ${withImages.length}`);
  const out: RealData = { root: path.resolve(dataDir), characters: [], sources: [] };
  for (const c of withImages) {
    const train = await readRealImages(c.images.train.map((r) => r.path), sourceSize);
    const test = await readRealImages(c.images.test.map((r) => r.path), sourceSize);
    out.characters.push({ id: c.id, train: train.map((x) => x.plain), test: test.map((x) => x.plain) });
    out.sources.push(train);
  }
  return out;
}

export function makeReport(real: RealManifest, retrained: RealJudgesReport['retrained'], base: RealJudgesReport['base'], training: Record<string, unknown> | null, seconds: number): RealJudgesReport {
  const nTrain = real.characters.reduce((s, c) => s + c.trainImages, 0), nTest = real.characters.reduce((s, c) => s + c.testImages, 0);
  return { format: REAL_REPORT_FORMAT, seed: real.seed, smoke: real.smoke, data: { dir: real.dataDir, characters: real.characters, trainImages: nTrain, testImages: nTest }, chanceTop1: 1 / real.characters.length, retrained, base, baseJudges: real.baseJudges.dir, training, seconds };
}
