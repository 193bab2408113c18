import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PermissionFlagsBits } from 'discord.js';
import { parseDeployArgs } from '../../src/cli/deploy-commands';
import { findCommand, findComponentOwner } from '../../src/bot/dispatch';
import { COMMANDS, commandDefinitions } from '../../src/commands';
import { parseEmotions } from '../../src/commands/calibrate';

const ROOT = path.resolve(__dirname, '../..');

describe('command definitions', () => {
  const defs = commandDefinitions();
  const byName = (name: string) => {
    const found = defs.find((d) => d.name === name);
    if (!found) throw new Error(`no /${name}`);
    return found;
  };

  it('registers the five commands, all server-only', () => {
    expect(defs.map((d) => d.name)).toEqual(['calibrate', 'ask', 'profile', 'forget', 'attune-settings']);
    for (const d of defs) expect(d.contexts).toEqual([0]);
  });

  it('/ask takes an optional question (spoken when left out) and two optional attachments', () => {
    expect(byName('ask').options?.map((o) => [o.name, o.type, o.required])).toEqual([
      ['question', 3, false],
      ['photo', 11, false],
      ['voice', 11, false],
    ]);
  });

  it('/calibrate samples default 5 is bounded to at least 2', () => {
    const samples = byName('calibrate').options?.find((o) => o.name === 'samples') as {
      min_value?: number;
      max_value?: number;
    };
    expect([samples.min_value, samples.max_value]).toEqual([2, 10]);
  });

  it('settings need Manage Server by default', () => {
    expect(byName('attune-settings').default_member_permissions).toBe(PermissionFlagsBits.ManageGuild.toString());
    expect(byName('ask').default_member_permissions).toBeUndefined();
  });

  it('routes commands and buttons', () => {
    expect(findCommand(COMMANDS, 'ask')?.data.name).toBe('ask');
    expect(findCommand(COMMANDS, 'nope')).toBeUndefined();
    expect(findComponentOwner(COMMANDS, 'cal:agree:1')?.data.name).toBe('calibrate');
    expect(findComponentOwner(COMMANDS, 'forget:confirm:1')?.data.name).toBe('forget');
    expect(findComponentOwner(COMMANDS, 'other:x')).toBeUndefined();
  });

  it('--dry-run prints the same JSON with no token, no network, and none of the media or HTTP modules', async () => {
    // Every module the process asks for, printed at exit: the definitions alone must not pull in
    // sharp (images), opusscript (audio) or axios (Google speech) through the command handlers.
    const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attune-deploy-')), 'trace.cjs');
    fs.writeFileSync(
      trace,
      [
        "const Module = require('node:module');",
        'const load = Module._load;',
        'const seen = new Set();',
        'Module._load = function (request, ...rest) { seen.add(request); return load.call(this, request, ...rest); };',
        "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify([...seen]) + '\\n'));",
      ].join('\n'),
    );
    // No token in the environment: dry-run must not even read the configuration.
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--require', trace, '--import', 'tsx', 'src/cli/deploy-commands.ts', '--dry-run'],
      { cwd: ROOT, env: { PATH: process.env.PATH } },
    );
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(defs)));
    const line = stderr.split('\n').find((l) => l.startsWith('LOADED '));
    const loaded = JSON.parse(line?.slice('LOADED '.length) ?? 'null') as string[];
    // The trace works: the command builders came through it.
    expect(loaded).toContain('discord.js');
    expect(loaded.filter((m) => /^(sharp|opusscript|axios|google-tts-api)(\/|$)/.test(m))).toEqual([]);
  });
});

describe('parseDeployArgs', () => {
  it('reads --dry-run and --guild', () => {
    expect(parseDeployArgs([])).toEqual({ dryRun: false, guildId: null });
    expect(parseDeployArgs(['--dry-run', '--guild', '123456789012345678'])).toEqual({
      dryRun: true,
      guildId: '123456789012345678',
    });
    expect(parseDeployArgs(['--guild=123456789012345678'])).toEqual({ dryRun: false, guildId: '123456789012345678' });
  });
  it('refuses bad arguments', () => {
    expect(() => parseDeployArgs(['--guild'])).toThrow('server id');
    expect(() => parseDeployArgs(['--guild', 'abc'])).toThrow('server id');
    expect(() => parseDeployArgs(['--global'])).toThrow('Unknown argument --global');
  });
});

describe('parseEmotions', () => {
  it('defaults, normalises and deduplicates', () => {
    expect(parseEmotions(null)).toEqual(['happy', 'neutral', 'sad']);
    expect(parseEmotions('Happy, sad,  happy angry')).toEqual(['happy', 'sad', 'angry']);
  });
  it.each(['happy', 'a,b', 'happy, s@d', 'a1,b2', 'one,two,three,four,five,six,seven'])('refuses %p', (raw) => {
    expect(() => parseEmotions(raw)).toThrow('2 to 6 single words');
  });
});
