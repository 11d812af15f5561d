/**
 * Recognises an executed copy written by `cmrp notebooks run` (environment/execute_notebook.py):
 * nbclient records when each code cell started (`metadata.execution["iopub.execute_input"]`), which
 * a notebook saved by hand from the sources does not have. `--out` may replace such a copy; any
 * other file of that name is the user's and needs --force.
 */
import * as fs from 'node:fs';

/** Executed copies hold plot outputs (a few MB); far larger files are not read. */
const MAX_BYTES = 256 << 20;

interface NotebookJson {
  nbformat?: unknown;
  cells?: { cell_type?: unknown; metadata?: { execution?: Record<string, unknown> } }[];
}

export function isExecutedCopy(file: string): boolean {
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile() || st.size > MAX_BYTES) return false;
    const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as NotebookJson;
    return nb.nbformat === 4 && Array.isArray(nb.cells) && nb.cells.some((c) => c.cell_type === 'code' && typeof c.metadata?.execution?.['iopub.execute_input'] === 'string');
  } catch {
    return false;
  }
}
