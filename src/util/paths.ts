/** Where things live: the project root, the embedded dataset, figures, the shared RoleScape-20 copy. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The cmrp-lab checkout: $CMRP_ROOT, else the nearest package.json named cmrp-lab above this file. */
export function projectRoot(): string {
  if (process.env.CMRP_ROOT) return path.resolve(process.env.CMRP_ROOT);
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cmrp-lab') return dir;
      } catch {
        /* not ours; keep walking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the cmrp-lab project root above ${__dirname}; set CMRP_ROOT`);
    dir = up;
  }
}

/** The embedded synthetic RoleScape world (built on first use by `cmrp data synth`). */
export function defaultSynthDir(): string {
  return process.env.CMRP_DATA ? path.resolve(process.env.CMRP_DATA) : path.join(projectRoot(), 'data', 'synth');
}

/** Where exported figures go: $CMRP_FIGURES_DIR, else <root>/figures. */
export function figuresDir(): string {
  return process.env.CMRP_FIGURES_DIR ? path.resolve(process.env.CMRP_FIGURES_DIR) : path.join(projectRoot(), 'figures');
}

/** The read-only real RoleScape-20 copy next to the project (`../shared/rolescape20`), or null. */
export function sharedRoleScapeDir(): string | null {
  const dir = process.env.CMRP_ROLESCAPE ?? path.join(projectRoot(), '..', 'shared', 'rolescape20');
  return fs.existsSync(path.join(dir, 'train')) ? path.resolve(dir) : null;
}
