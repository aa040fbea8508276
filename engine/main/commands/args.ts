import { parseArgs } from 'node:util';

/** The command's arguments, parsed strictly: an unknown flag is an error. */
export function parse<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  return parseArgs({ args, options, allowPositionals, strict: true });
}

/**
 * Whether a command's arguments ask for its help (`--help` or `-h` anywhere before a `--`). The dispatcher checks
 * this before it loads the command, so asking for help never reads the configuration, opens a database or migrates.
 */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
