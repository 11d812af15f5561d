/**
 * Runs a grid: every cell (character x method x seed) makes its policy (trains it, or writes a
 * manifest that reuses other cells' models) and evaluates it. A finished cell is cached on disk
 * with a hash of everything that defines it (method, SFT and eval configs, base weights, data),
 * so a rerun or an interrupted run resumes without recomputing, and an edited row reruns alone.
 *
 *   <out>/models/<character>/<method>/seed<s>/   the policy (checkpoint, adapter or policy.json)
 *   <out>/cells/<character>/<method>/seed<s>.json  {spec_hash, result, report}
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../util/errors';
import { writeJsonAtomic } from '../../util/fs';
import { loadRoleScape, type Character } from '../../data/rolescape';
import { baseFingerprint } from '../../model/adapter';
import { prepareSft, resolveSftConfig, SftConfig } from '../../train/sft';
import { grpoIdentity, resolveGrpoConfig } from '../../train/grpo-config';
import { prepareGrpo } from '../../train/grpo-setup';
import { loadPolicy, POLICY_FORMAT } from '../load-policy';
import { defaultHeldOutJudgesDir } from '../../judges/heldout';
import { codeVersion } from '../../util/provenance';
import { evaluatePolicy, evalIdentity, resolveEvalConfig, type EvalConfig, type EvalReport } from '../suite';
import { rowBaseDir, type Grid, type Method } from './grid';
import { CellResult, ExperimentResults, RESULTS_FORMAT, markdownReport } from './results';
import { cellFile as cellFileOf, cellModelDir, RESULTS_FILE } from './read';

export interface ExperimentOptions {
  grid: Grid;
  /** 'all', the first N characters (id order), or a list of ids. */
  characters: 'all' | number | string[];
  seeds: number;
  /** The first seed: the run covers seeds firstSeed .. firstSeed + seeds - 1 (default 0), so seeds can run in lanes and be merged (merge.ts). */
  firstSeed?: number;
  out: string;
  dataDir: string;
  baseDir: string;
  judgesDir: string;
  textJudgesDir: string;
  /** Held-out judges for the `*_heldout` image metrics (judges/heldout.ts); default checkpoints/judges-heldout when present, null: none. */
  heldOutJudgesDir?: string | null;
  /** The command line, recorded in the report. */
  command: string;
  log?: (line: string) => void;
  /** Called after each cell: (done, total, cell). */
  onCell?: (done: number, total: number, cell: CellResult) => void;
}

export function pickCharacters(all: readonly Character[], which: ExperimentOptions['characters']): Character[] {
  const sorted = [...all].sort((a, b) => a.id.localeCompare(b.id));
  if (which === 'all') return sorted;
  if (typeof which === 'number') {
    if (which > sorted.length) throw new UserError(`--characters: asked for ${which} but the dataset has ${sorted.length}`);
    return sorted.slice(0, which);
  }
  return which.map((id) => sorted.find((c) => c.id === id) ?? (() => { throw new UserError(`--characters: unknown character "${id}"; known: ${sorted.map((c) => c.id).join(', ')}`); })());
}

const hash = (x: unknown): string => crypto.createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
const fileHash = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);

/** A folder's content (every file, sorted by name), e.g. a judges checkpoint. */
function dirHash(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else h.update(name).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

/**
 * The content of a dataset folder: every regular file's relative path and bytes (hidden files and
 * anything that is not a regular file or folder are skipped, as the loader skips or refuses them).
 * A cell reads its character's folders and, for the style judge, every character's lines, so the
 * whole folder is what its numbers depend on: an emptied knowledge file or a deleted PNG changes it.
 */
export function dataContentHash(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.isFile()) h.update(r).update('\0').update(fs.readFileSync(path.join(d, e.name))).update('\0');
      else h.update(r).update('\0(not a regular file)\0');
    }
  };
  walk(dir, '');
  return h.digest('hex').slice(0, 16);
}

function sftConfigFor(grid: Grid, m: Method, seed: number): SftConfig {
  const data = m.kind === 'image-only' || m.kind === 'text-only' ? m.kind : 'unified';
  const c = resolveSftConfig(grid.sft_config, { ...(m.sft ?? {}), data });
  return { ...c, train: { ...c.train, seed } };
}

export async function runExperiment(o: ExperimentOptions): Promise<ExperimentResults> {
  const t0 = Date.now();
  const log = o.log ?? (() => {});
  const { characters: all } = await loadRoleScape(o.dataDir);
  const chars = pickCharacters(all, o.characters);
  const baseSha = baseFingerprint(o.baseDir);
  // everything else a cell's numbers depend on: the data's content and the judges' weights
  const dataKey = fs.existsSync(path.join(o.dataDir, 'index.json')) ? fileHash(path.join(o.dataDir, 'index.json')) : path.resolve(o.dataDir);
  const heldOutJudges = o.heldOutJudgesDir === undefined ? defaultHeldOutJudgesDir() : o.heldOutJudgesDir;
  const judgesKey = [dirHash(o.judgesDir), dirHash(o.textJudgesDir), ...(heldOutJudges ? [dirHash(heldOutJudges)] : [])]; // keys without held-out judges unchanged
  // the data's content is checked beside the spec hash (kept out of it, so cells cached before this
  // check keep their keys: such a cell is adopted once with the data as it is now, and said)
  const dataSha = dataContentHash(o.dataDir);
  let adopted = 0;
  const evalBase = resolveEvalConfig(o.grid.eval_config);
  // each row's base checkpoint (its own, e.g. the dense base, or the grid's) and its fingerprint, once
  const rowBases = new Map(o.grid.methods.map((m) => {
    const dir = m.base === undefined ? o.baseDir : rowBaseDir(m.base);
    return [m.name, { dir, sha: m.base === undefined ? baseSha : baseFingerprint(dir) }];
  }));
  const total = chars.length * o.grid.methods.length * o.seeds;
  const cells: CellResult[] = [];
  const modelDir = (c: string, m: string, s: number) => cellModelDir(o.out, c, m, s);
  /** Score the policy in `dir` and cache the cell (atomically). */
  const evaluateCell = async (dir: string, c: Character, m: Method, seed: number, cell: { trainSeconds: number; evalConfig: EvalConfig; spec: unknown; specHash: string; file: string }): Promise<CellResult> => {
    const te = Date.now();
    const policy = await loadPolicy(dir);
    let report: EvalReport;
    try {
      // every row is scored against the same reference images (evalConfig.shots), whatever K it trained on
      report = await evaluatePolicy(policy, c, { judgesDir: o.judgesDir, heldOutJudgesDir: heldOutJudges, textJudgesDir: o.textJudgesDir, config: cell.evalConfig, characters: all });
    } finally {
      policy.dispose();
    }
    const result: CellResult = { character: c.id, method: m.name, seed, metrics: report.metrics, train_seconds: cell.trainSeconds, eval_seconds: (Date.now() - te) / 1000, cached: false, code: codeVersion() };
    writeJsonAtomic(cell.file, { spec_hash: cell.specHash, data_sha: dataSha, spec: cell.spec, result, report });
    return result;
  };
  const firstSeed = o.firstSeed ?? 0;
  for (let seed = firstSeed; seed < firstSeed + o.seeds; seed++) {
    for (const c of chars) {
      const specs = new Map<string, string>(); // method -> spec hash, for rows that reuse others
      for (const m of o.grid.methods) {
        const evalConfig = { ...evalBase, ...(m.eval ?? {}), seed };
        const rowBase = rowBases.get(m.name)!.dir;
        const src = (key: 'text_from' | 'image_from', kind: string) => m[key] ?? o.grid.methods.find((x) => x.kind === kind)!.name;
        const sftFrom = m.sft_from ?? o.grid.methods.find((x) => x.kind === 'unified-sft')?.name ?? '';
        const sft = m.model_from !== undefined || m.kind === 'prompt-only' || m.kind === 'separate' || m.kind === 'grpo' ? null : sftConfigFor(o.grid, m, seed);
        const grpo = m.model_from === undefined && m.kind === 'grpo' ? { ...resolveGrpoConfig(o.grid.grpo_config, m.grpo ?? {}), seed } : null;
        const deps = m.model_from !== undefined ? [specs.get(m.model_from)]
          : m.kind === 'separate' ? [specs.get(src('text_from', 'text-only')), specs.get(src('image_from', 'image-only'))] : m.kind === 'grpo' ? [specs.get(sftFrom)] : [];
        // key order is part of the hash (cached cells stay valid); a model_from row trains nothing, so
        // its key is its eval settings and the row whose model it scores
        const spec = m.model_from !== undefined
          ? { method: m, eval: evalIdentity(evalConfig), base: baseSha, data: dataKey, judges: judgesKey, character: c.id, seed, deps }
          : { method: m, sft, ...(grpo ? { grpo: grpoIdentity(grpo) } : {}), eval: evalIdentity(evalConfig), base: rowBases.get(m.name)!.sha, data: dataKey, judges: judgesKey, character: c.id, seed, deps };
        const specHash = hash(spec);
        specs.set(m.name, specHash);
        const cellFile = cellFileOf(o.out, c.id, m.name, seed);
        const hit = readCell(cellFile, specHash, dataSha);
        if (hit?.legacy) adopted++;
        const cached = hit?.result;
        if (cached) {
          cells.push({ ...cached, cached: true });
          o.onCell?.(cells.length, total, cells[cells.length - 1]);
          continue;
        }
        if (m.model_from !== undefined) {
          const result = await evaluateCell(modelDir(c.id, m.model_from, seed), c, m, seed, { trainSeconds: 0, evalConfig, spec, specHash, file: cellFile });
          cells.push(result);
          log(`cell ${cells.length}/${total}: ${c.id} ${m.name} seed ${seed}: eval ${result.eval_seconds.toFixed(0)} s`);
          o.onCell?.(cells.length, total, result);
          continue;
        }
        const dir = modelDir(c.id, m.name, seed);
        fs.rmSync(dir, { recursive: true, force: true }); // a stale model of an edited row
        const ts = Date.now();
        if (m.kind === 'prompt-only') {
          writeJsonAtomic(path.join(dir, 'policy.json'), { format: POLICY_FORMAT, kind: 'prompt-only', model: path.relative(dir, path.resolve(rowBase)), reference_images: 0 });
        } else if (m.kind === 'separate') {
          const rel = (name: string) => path.relative(dir, modelDir(c.id, name, seed));
          writeJsonAtomic(path.join(dir, 'policy.json'), { format: POLICY_FORMAT, kind: 'separate', text: rel(src('text_from', 'text-only')), image: rel(src('image_from', 'image-only')) });
        } else if (m.kind === 'grpo') {
          const trainer = await prepareGrpo(grpo!, { modelDir: modelDir(c.id, sftFrom, seed), dataDir: o.dataDir, character: c, outDir: dir, judgesDir: o.judgesDir, textJudgesDir: o.textJudgesDir });
          await trainer.run();
          trainer.parts.judges.dispose();
          trainer.parts.model.adapters?.dispose();
          trainer.parts.model.dispose();
          trainer.parts.reference?.dispose();
        } else {
          const run = await prepareSft(sft!, { baseDir: rowBase, dataDir: o.dataDir, character: c, outDir: dir });
          await run.trainer.run();
          run.model.adapters?.dispose();
          run.model.dispose();
        }
        const result = await evaluateCell(dir, c, m, seed, { trainSeconds: (Date.now() - ts) / 1000, evalConfig, spec, specHash, file: cellFile });
        cells.push(result);
        log(`cell ${cells.length}/${total}: ${c.id} ${m.name} seed ${seed}: train ${result.train_seconds.toFixed(0)} s, eval ${result.eval_seconds.toFixed(0)} s`);
        o.onCell?.(cells.length, total, result);
      }
    }
  }
  if (adopted) log(`${adopted} cached cell(s) predate data content hashing: adopted with the data in ${o.dataDir} as it is now (content ${dataSha}); a later change of the data reruns them`);
  const results: ExperimentResults = {
    format: RESULTS_FORMAT, grid: o.grid.name, command: o.command, characters: chars.map((c) => c.id), seeds: o.seeds,
    seed_list: Array.from({ length: o.seeds }, (_, i) => firstSeed + i),
    methods: o.grid.methods.map((m) => m.name), kinds: Object.fromEntries(o.grid.methods.map((m) => [m.name, m.kind])), pairs: comparisonPairs(o.grid), cells, seconds: (Date.now() - t0) / 1000, finished: new Date().toISOString(),
  };
  writeJsonAtomic(path.join(o.out, RESULTS_FILE), results);
  fs.writeFileSync(path.join(o.out, 'report.md'), markdownReport(results));
  return results;
}

/**
 * Pairs the report compares character by character: a model_from row vs its source, each GRPO row
 * vs its SFT row, each later GRPO row vs the first GRPO row from the same SFT row (the ablations:
 * each variant vs the official one), other SFT rows vs the first, the first SFT row vs each baseline.
 */
export function comparisonPairs(grid: Grid): [string, string][] {
  const sftRows = grid.methods.filter((m) => m.kind === 'unified-sft' && m.model_from === undefined);
  const pairs: [string, string][] = [];
  for (const m of grid.methods) if (m.model_from !== undefined) pairs.push([m.name, m.model_from]);
  const grpoRows = grid.methods.flatMap((m) => (m.kind === 'grpo' && m.model_from === undefined ? [{ name: m.name, sft: m.sft_from ?? sftRows[0]?.name ?? '' }] : []));
  for (const g of grpoRows) pairs.push([g.name, g.sft]);
  for (const g of grpoRows) {
    const first = grpoRows.find((x) => x.sft === g.sft)!;
    if (first !== g) pairs.push([g.name, first.name]);
  }
  for (const s of sftRows.slice(1)) pairs.push([s.name, sftRows[0].name]); // other SFT variants (shots, base) vs the first
  for (const s of sftRows.slice(0, 1)) for (const b of grid.methods) if (['prompt-only', 'image-only', 'text-only', 'separate'].includes(b.kind)) pairs.push([s.name, b.name]);
  return pairs.filter(([, ref]) => ref !== '');
}

/** A cached cell when its spec and data content match; a cell saved before data hashing is adopted (stamped with `dataSha`). */
function readCell(file: string, specHash: string, dataSha: string): { result: Omit<CellResult, 'cached'>; legacy: boolean } | null {
  if (!fs.existsSync(file)) return null;
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { spec_hash?: string; data_sha?: string; result?: CellResult };
    if (saved.spec_hash !== specHash || !saved.result) return null;
    if (saved.data_sha === undefined) {
      writeJsonAtomic(file, { ...saved, data_sha: dataSha });
      return { result: saved.result, legacy: true };
    }
    return saved.data_sha === dataSha ? { result: saved.result, legacy: false } : null;
  } catch {
    return null; // unreadable: recompute (it is rewritten atomically)
  }
}
