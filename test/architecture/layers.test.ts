import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mjs|cjs|js)$/.test(e.name) ? [p] : [];
  });
}

/** Module specifiers a file imports or requires (comments are not imports). */
function importsOf(file: string): string[] {
  const code = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) specs.push(m[1]);
  return specs;
}

describe('architecture', () => {
  it.each(['ml', 'reply', 'storage'])('the core (src/%s) never imports discord.js or @discordjs/*', (layer) => {
    const offenders = sourceFiles(path.join(SRC, layer)).flatMap((f) =>
      importsOf(f)
        .filter((s) => s === 'discord.js' || s.startsWith('@discordjs/'))
        .map((s) => `${path.relative(SRC, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the core never imports the bot or the commands', () => {
    const offenders = ['ml', 'reply', 'storage'].flatMap((layer) =>
      sourceFiles(path.join(SRC, layer)).flatMap((f) =>
        importsOf(f)
          .filter((s) => s.startsWith('.') && /\/(bot|commands)(\/|$)/.test(path.resolve(path.dirname(f), s)))
          .map((s) => `${path.relative(SRC, f)} imports ${s}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('each slash command is its own file exporting data and execute', () => {
    const dir = path.join(SRC, 'commands');
    const commandFiles = fs.readdirSync(dir).filter((f) => !['index.ts', 'types.ts'].includes(f));
    expect(commandFiles.length).toBeGreaterThanOrEqual(5);
    for (const f of commandFiles) {
      const code = fs.readFileSync(path.join(dir, f), 'utf8');
      expect({ f, data: /\bdata\b/.test(code), execute: /\bexecute\b/.test(code) }).toEqual({
        f,
        data: true,
        execute: true,
      });
    }
  });
});
