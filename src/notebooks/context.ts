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
  /** Keep a model, judges or a policy to be freed by `dispose()`, and return it (null skipped). */
  track<T extends Disposable | null | undefined>(x: T): T;
  /** Keep several (nulls skipped); returns nothing, so a cell ending in it displays nothing. */
  track(...xs: (Disposable | null | undefined)[]): void;
  /** Free everything tracked, newest first (the notebook's last cell). */
  dispose(): Promise<void>;
}

export function notebookContext(o: { backend: BackendInfo; smoke: boolean; root: string; synthDir: string; figuresDir: string; realDir: string | null; paths: NotebookPaths }): NotebookContext {
  const held: Disposable[] = [];
  return {
    ...o,
    preset: o.smoke ? 'smoke' : 'default',
    pick: (smoke, full) => (o.smoke ? smoke : full),
    track(...xs: (Disposable | null | undefined)[]): any {
      for (const x of xs) if (x) held.push(x);
      return xs.length === 1 ? xs[0] : undefined;
    },
    async dispose() {
      while (held.length) await held.pop()!.dispose();
    },
  };
}
