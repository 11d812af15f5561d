/**
 * Names in markdown reports (methods, characters, grids, commands) come from users' files: escaped
 * so that none can break a table, start a heading or inject HTML or a link.
 */

/** Plain text: emphasis, code, link, table and HTML specials escaped, a leading block marker too, newlines as spaces. */
export function mdText(s: string): string {
  return String(s)
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/^([#+\-!])/, '\\$1');
}

/** Inline code that no backtick or newline in the text can break out of (pipes escaped for tables). */
export function mdCode(s: string): string {
  const t = String(s).replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const ticks = '`'.repeat(Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return `${ticks} ${t} ${ticks}`;
}
