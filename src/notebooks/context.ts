/**
 * What every notebook cell may lean on: the mode (smoke under the tests, else the default configs)
 * chosen once, the folders, and the tensors to free at the end. Sizes that differ between the modes
 * go through `pick`, so a notebook's small configs are visible in one place per cell.
 */
import type { BackendInfo } from '../backend/select';
import type { NotebookPaths } from './paths';

/** The config preset every stage resolves (`resolveSftConfig(nb.preset)`, grids `<name>-smoke`). */
export type Preset = 'smoke' | 'default';

export interface Disposable {
  dispose(): unknown;
}

export interface NotebookContext {
  backend: BackendInfo;
  /** True under the tests (CMRP_SMOKE=1): small configs. */
  smoke: boolean;
  preset: Preset;
  /** `smoke` in smoke mode, `full` otherwise. */
  pick<T>(smoke: T, full: T): T;
  root: string;
  synthDir: string;
  figuresDir: string;
  /** The real RoleScape-20 copy, when present next to the project. */
  realDir: string | null;
  paths: NotebookPaths;
  /** Keep models, judges and policies to be freed by `dispose()` (nulls skipped); returns the first. */
  track<T extends Disposable | null | undefined>(first: T, ...more: (Disposable | null | undefined)[]): T;
  /** Free everything tracked, newest first (the notebook's last cell). */
  dispose(): Promise<void>;
}

export function notebookContext(o: { backend: BackendInfo; smoke: boolean; root: string; synthDir: string; figuresDir: string; realDir: string | null; paths: NotebookPaths }): NotebookContext {
  const held: Disposable[] = [];
  return {
    ...o,
    preset: o.smoke ? 'smoke' : 'default',
    pick: (smoke, full) => (o.smoke ? smoke : full),
    track(first, ...more) {
      for (const x of [first, ...more]) if (x) held.push(x);
      return first;
    },
    async dispose() {
      while (held.length) await held.pop()!.dispose();
    },
  };
}
