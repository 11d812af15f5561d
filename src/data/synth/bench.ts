/**
 * Timing for `cmrp data synth --bench`: build the dataset (into `out`, or a scratch folder
 * that is removed afterwards) and report wall-clock seconds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesize, SynthOptions, SynthSummary } from './index';

export interface BenchOptions extends Omit<SynthOptions, 'out'> {
  /** Where to build; a temporary folder (deleted afterwards) when absent. */
  readonly out?: string;
}

export async function benchSynth(opts: BenchOptions): Promise<SynthSummary> {
  const scratch = opts.out ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-synth-bench-'));
  const out = opts.out ?? path.join(scratch as string, 'data');
  try {
    return await synthesize({ ...opts, out });
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** "synth: 20 characters in 12.3 s" */
export function formatBench(s: SynthSummary): string {
  return `synth: ${s.characters} characters in ${s.seconds.toFixed(1)} s`;
}
