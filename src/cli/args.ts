/** Minimal argv parsing for the CLIs: `--flag`, `--key value`, `--key=value`, positionals. */
export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], valued: readonly string[] = []): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!; // i < argv.length
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (valued.includes(a.slice(2))) {
        const v = argv[i + 1];
        if (v === undefined) throw new Error(`${a} needs a value`);
        flags.set(a.slice(2), v);
        i++;
      } else flags.set(a.slice(2), true);
    } else positionals.push(a);
  }
  return { flags, positionals };
}
