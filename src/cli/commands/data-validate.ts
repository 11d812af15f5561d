import type { Command } from 'commander';
export function register(data: Command): void {
  data.command('validate <dir>').description('TODO').action(() => {});
}
