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
  for (const m of code.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) if (m[1]) specs.push(m[1]);
  return specs;
}

/** Relative imports of the files under `from` that resolve into `to` (both relative to src/). */
function importsInto(from: string, to: string, except: readonly string[] = []): string[] {
  const target = path.join(SRC, to);
  return sourceFiles(path.join(SRC, from))
    .filter((f) => !except.includes(path.relative(SRC, f)))
    .flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('.'))
        .filter((s) => {
          const resolved = path.resolve(path.dirname(f), s);
          return resolved === target || resolved.startsWith(`${target}${path.sep}`);
        })
        .map((s) => `${path.relative(SRC, f)} imports ${s}`),
    );
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

  it('the bot never imports the commands: the entry point (main.ts) hands their list to the dispatcher', () => {
    expect(importsInto('bot', 'commands', ['bot/main.ts'])).toEqual([]);
  });

  it("the bot's formatting never imports the calibration flow", () => {
    expect(importsInto('bot/format', 'bot/calibration')).toEqual([]);
  });

  it('command definitions load discord.js and nothing else (deploy-commands prints them without media code)', () => {
    const dir = path.join(SRC, 'commands/definitions');
    const offenders = sourceFiles(dir).flatMap((f) =>
      importsOf(f)
        .filter((s) => s !== 'discord.js' && !(s.startsWith('./') && !s.slice(2).includes('/')))
        .map((s) => `${path.relative(SRC, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
    expect(importsOf(path.join(SRC, 'cli/deploy-commands.ts'))).not.toContain('../commands');
  });

  it('Discord wire formats (the message limit, 48 kHz stereo PCM) live in the bot, not the reply core', () => {
    const discordNames = /\b(DISCORD_\w+|fitDiscordMessage|discordPcm\w*|toDiscordPcm|monoToStereo\w*)\b/;
    const offenders = sourceFiles(path.join(SRC, 'reply')).filter((f) => discordNames.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(SRC, f))).toEqual([]);
    expect(fs.readFileSync(path.join(SRC, 'bot/format/message.ts'), 'utf8')).toMatch(/DISCORD_MESSAGE_LIMIT = 2000/);
  });

  it("Discord's voice-message format (Ogg Opus pages, waveform, the encoder and its worker) lives in the bot, not the reply core", () => {
    // The reply core ends at mono PCM; src/bot/voice/voiceMessage turns it into what Discord accepts.
    const voiceMessageNames =
      /\b(OggS|\w*[Ww]aveform\w*|\w*VoiceMessage\w*|\w*Ogg(Opus|Page)\w*|OpusEncoder|encodeWorker)\b/;
    const offenders = sourceFiles(path.join(SRC, 'reply')).filter((f) =>
      voiceMessageNames.test(fs.readFileSync(f, 'utf8')),
    );
    expect(offenders.map((f) => path.relative(SRC, f))).toEqual([]);
    const format = path.join(SRC, 'bot/voice/voiceMessage');
    expect(fs.readFileSync(path.join(format, 'oggOpus.ts'), 'utf8')).toMatch(/"OggS"/);
    expect(fs.readdirSync(format)).toEqual(expect.arrayContaining(['encodeWorker.ts', 'encodeWorker.cjs']));
  });

  it('each slash command is its own file exporting data and execute', () => {
    const dir = path.join(SRC, 'commands');
    const commandFiles = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !['index.ts', 'types.ts'].includes(e.name))
      .map((e) => e.name);
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
