/**
 * The folders a notebook reads and writes, named once. Folders a notebook writes carry `-smoke` in
 * smoke mode, so a test run never overwrites (or resumes) a full-size run.
 */
import * as path from 'node:path';

export interface NotebookPaths {
  /** checkpoints/base: the pretrained unified model every customization starts from. */
  base: string;
  /** checkpoints/judges: the image judges (VQA, CLIP-T, identity, LPIPS stand-ins). */
  judges: string;
  /** checkpoints/text-judges: style attribution and line emotion. */
  textJudges: string;
  /** data/runs/<character>-sft[-smoke]: the Unified-SFT run notebooks 03, 04 and 06 share. */
  sftRun(character: string): string;
  /** data/judges-real[-smoke]: the identity judge retrained on the real training images (notebook 07). */
  realJudges: string;
  /** data/experiments/<name>: a notebook's own experiment folders (cells cached; a rerun is instant). */
  experiment(name: string): string;
  /** results/<name>: a committed experiment. */
  results(name: string): string;
}

export function notebookPaths(root: string, smoke: boolean): NotebookPaths {
  const mode = smoke ? '-smoke' : '';
  return {
    base: path.join(root, 'checkpoints', 'base'),
    judges: path.join(root, 'checkpoints', 'judges'),
    textJudges: path.join(root, 'checkpoints', 'text-judges'),
    sftRun: (character) => path.join(root, 'data', 'runs', `${character}-sft${mode}`),
    realJudges: path.join(root, 'data', `judges-real${mode}`),
    experiment: (name) => path.join(root, 'data', 'experiments', name),
    results: (name) => path.join(root, 'results', name),
  };
}
