import type { Command } from 'commander';
export function register(data: Command): void {
  data.command('synth').description('TODO').action(() => {});
}
