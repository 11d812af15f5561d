/**
 * Every notebook under notebooks/ is executed headless (nbconvert + the cmrp-lab kernel) with the
 * smoke configs; a notebook that errors fails here. Figures go to a temporary folder.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executeNotebook } from '../src/notebooks/execute';
import { projectRoot } from '../src/util/paths';

const root = projectRoot();
const notebooks = fs
  .readdirSync(path.join(root, 'notebooks'))
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

interface NbOutput { output_type: string; text?: string | string[]; ename?: string; evalue?: string; data?: Record<string, unknown> }
interface NbCell { cell_type: string; outputs?: NbOutput[] }

test('there are notebooks to execute, committed without outputs and on the cmrp-lab kernel', () => {
  assert.ok(notebooks.length >= 1, 'no notebooks found under notebooks/');
  for (const name of notebooks) {
    const nb = JSON.parse(fs.readFileSync(path.join(root, 'notebooks', name), 'utf8')) as {
      cells: NbCell[];
      metadata: { kernelspec?: { name?: string } };
    };
    assert.equal(nb.metadata.kernelspec?.name, 'cmrp-lab', `${name}: kernelspec`);
    const withOutputs = nb.cells.filter((c) => (c.outputs ?? []).length > 0).length;
    assert.equal(withOutputs, 0, `${name}: ${withOutputs} cells carry outputs (clear them before committing)`);
  }
});

for (const name of notebooks) {
  test(`notebook ${name} executes headless without errors`, { timeout: 20 * 60_000 }, async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmrp-nb-'));
    const r = await executeNotebook(path.join(root, 'notebooks', name), {
      outDir: tmp,
      cellTimeoutS: 600,
      env: { CMRP_SMOKE: '1', CMRP_FIGURES_DIR: path.join(tmp, 'figures') },
    });
    assert.ok(r.ok, `${name} failed:\n${r.log}`);
    const nb = JSON.parse(fs.readFileSync(r.output, 'utf8')) as { cells: NbCell[] };
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    const errors = code.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'error'));
    assert.deepEqual(errors.map((e) => `${e.ename}: ${e.evalue}`), []);
    // the first output of every notebook names the compute backend
    const first = (code[0]?.outputs ?? [])[0];
    const text = first ? [first.text ?? ''].flat().join('') : '';
    assert.match(text, /^backend: (tensorflow-gpu|tensorflow|wasm|cpu)/, `${name}: first output should name the backend`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
}
