/**
 * `cmrp checkpoints convert <dir...>`: rewrite the legacy tensor manifests (a bare list whose
 * offsets count bytes) of model checkpoints, adapters and their optimizer state in the one current
 * layout (util/tensor-file.ts, offsets in float32 values), in the given folders and every folder
 * below them. Only the `.json` manifests change; the `.bin` files are left byte for byte. Loading
 * a legacy folder works without this (with a one-line notice); this makes the notice go away.
 */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../util/errors';
import { convertTensorManifest } from '../../util/tensor-file';

/** The stems of the standalone tensor manifests a model folder may hold (`<stem>.json` + `<stem>.bin`). */
const STEMS = ['weights', 'optim', 'adapter_weights'];

/** Every folder under `dir` (itself included) holding one of STEMS' manifests; hidden folders and links skipped. */
function tensorFolders(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (STEMS.some((s) => fs.existsSync(path.join(d, `${s}.json`)))) out.push(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory() && !e.name.startsWith('.')) walk(path.join(d, e.name));
  };
  walk(dir);
  return out;
}

export function register(program: Command): void {
  program
    .command('checkpoints')
    .description('model checkpoint files')
    .command('convert')
    .description('rewrite legacy tensor manifests (offsets in bytes) of the model, adapter and optimizer files in these folders and below in the current layout; .bin files are not touched')
    .argument('<dirs...>', 'checkpoint folders, or folders of them')
    .action((dirs: string[]) => {
      for (const dir of dirs) {
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`${dir}: no such folder`);
        const folders = tensorFolders(dir);
        if (!folders.length) throw new UserError(`${dir}: no tensor manifest (${STEMS.map((s) => `${s}.json`).join(', ')}) in it or below`);
        for (const d of folders) {
          for (const stem of STEMS) {
            if (!fs.existsSync(path.join(d, `${stem}.json`))) continue;
            console.log(`${path.join(d, `${stem}.json`)}: ${convertTensorManifest(d, stem) ? 'converted' : 'already current'}`);
          }
        }
      }
    });
}
