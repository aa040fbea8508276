import { parseArgs } from 'node:util';

/** The command's arguments, parsed strictly: an unknown flag is an error. */
export function parse<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  return parseArgs({ args, options, allowPositionals, strict: true });
}
