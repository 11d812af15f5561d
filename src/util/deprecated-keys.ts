/**
 * Renamed config keys (issue 15: GRPO and SFT keys as Hugging Face TRL names them). A config
 * written with an old name still loads: the key is rewritten in place (same position, so key order,
 * and with it a hash of the config, is what the new name gives) and a one-line notice is printed
 * once per key per process on stderr:
 *
 *   cmrp: config key "group_size" is deprecated, use "num_generations"
 *
 * An object that gives both names of one field is refused, naming the field. A table may name a
 * block whose own keys were renamed (`{ train: { lr: 'learning_rate' } }`: train.lr).
 * `deprecationNotice` prints the same once-per-process line for other old layouts
 * (util/tensor-file.ts: byte-offset tensor manifests).
 */
import { z } from 'zod';
import { UserError } from './errors';

/** Old name -> new name; or a block's name -> the renames of the keys inside it. */
export type KeyRenames = { readonly [key: string]: string | KeyRenames };

const noticed = new Set<string>();
let sink: ((line: string) => void) | null = null;

/**
 * Where the notices go (default stderr; `CMRP_QUIET_DEPRECATIONS=1` silences them). Returns the
 * previous sink; `null` restores stderr. For tests, which capture rather than print them.
 */
export function setDeprecationLog(fn: ((line: string) => void) | null): ((line: string) => void) | null {
  const was = sink;
  sink = fn;
  return was;
}

/** Forget which notices were printed (tests). */
export function resetDeprecationNotices(): void {
  noticed.clear();
}

/** Print `line` once per process for `id` (a renamed key, a file in an old layout) to the sink or stderr. */
export function deprecationNotice(id: string, line: string): void {
  if (noticed.has(id)) return;
  noticed.add(id);
  if (sink) sink(line);
  else if (process.env.CMRP_QUIET_DEPRECATIONS !== '1') process.stderr.write(line + '\n');
}

function notice(oldKey: string, newKey: string): void {
  deprecationNotice(`${oldKey}\u0000${newKey}`, `cmrp: config key "${oldKey}" is deprecated, use "${newKey}"`);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

interface Conflict {
  path: string[]; // of the field, under its new name
  oldKey: string;
  newKey: string;
}

/** The first field given under both its names, or null. */
function keyConflict(raw: unknown, renames: KeyRenames, at: string[] = []): Conflict | null {
  if (!isPlainObject(raw)) return null;
  for (const [oldKey, to] of Object.entries(renames)) {
    if (typeof to !== 'string') {
      const inner = has(raw, oldKey) ? keyConflict(raw[oldKey], to, [...at, oldKey]) : null;
      if (inner) return inner;
    } else if (has(raw, oldKey) && has(raw, to)) return { path: [...at, to], oldKey, newKey: to };
  }
  return null;
}

function conflictMessage(c: Conflict): string {
  return `given twice, as "${c.newKey}" and as its deprecated name "${c.oldKey}"; keep only "${c.newKey}"`;
}

/**
 * `raw` with every old key renamed to its new name, in place (anything but a plain object is
 * returned as it is). Prints the notice unless `quiet`; throws a UserError (`<where>: <at>.<field>: ...`)
 * when both names of a field are given.
 */
export function renameDeprecatedKeys<T>(raw: T, renames: KeyRenames, o: { where?: string; at?: string; quiet?: boolean } = {}): T {
  if (!isPlainObject(raw)) return raw;
  const both = keyConflict(raw, renames);
  if (both) throw new UserError(`${o.where ? `${o.where}: ` : ''}${[...(o.at ? [o.at] : []), ...both.path].join('.')}: ${conflictMessage(both)}`);
  if (!Object.keys(raw).some((k) => has(renames, k))) return raw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const to = has(renames, k) ? renames[k] : undefined;
    if (typeof to === 'string') {
      if (!o.quiet) notice(k, to);
      out[to] = v;
    } else out[k] = to === undefined ? v : renameDeprecatedKeys(v, to, { ...o, at: o.at ? `${o.at}.${k}` : k });
  }
  return out as T;
}

/** Whether `raw` gives any field under an old name (at any depth the table reaches). */
export function usesDeprecatedKeys(raw: unknown, renames: KeyRenames): boolean {
  if (!isPlainObject(raw)) return false;
  return Object.entries(renames).some(([oldKey, to]) => has(raw, oldKey) && (typeof to === 'string' || usesDeprecatedKeys(raw[oldKey], to)));
}

/**
 * A stored config (a run manifest's) under the current names, without a notice. One that gives
 * both names of a field comes back as it is: the comparison with the new run then says they differ.
 */
export function upgradeStoredKeys(raw: unknown, renames: KeyRenames): unknown {
  return keyConflict(raw, renames) ? raw : renameDeprecatedKeys(raw, renames, { quiet: true });
}

/**
 * `schema` that first renames the old keys of its input (notice once per key; both names of a
 * field: a zod issue on that field). Typed with the schema's own input (the new names).
 */
export function withDeprecatedKeys<S extends z.ZodTypeAny>(schema: S, renames: KeyRenames): z.ZodEffects<S, z.output<S>, z.input<S>> {
  return z.preprocess((raw, ctx) => {
    const both = keyConflict(raw, renames);
    if (both) {
      ctx.addIssue({ code: 'custom', path: both.path, message: conflictMessage(both) });
      return raw;
    }
    return renameDeprecatedKeys(raw, renames);
  }, schema) as unknown as z.ZodEffects<S, z.output<S>, z.input<S>>;
}
