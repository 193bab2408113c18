import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REST, Routes } from 'discord.js';
import { commandDefinitions } from '../../../src/commands';
import { startStandin, type Standin } from '../../standin/Standin';
import type { GuildOptions } from '../../standin/world/World';

const ROOT = path.resolve(__dirname, '../../..');

/** A guild id whose events go to `shard` of `n` (the shard is `(id >> 22) % n`). */
export function guildIdOnShard(shard: number, n: number, salt = 0): string {
  return String(((310_000_000_000n + BigInt(salt) * BigInt(n) + BigInt(shard)) << 22n) + 1n);
}

/** Ids of a world with one guild per shard, each with a text and a voice channel, alice and bob in both. */
export function shardWorld(
  shards: number,
  people: { id: string; username: string }[],
): { guilds: GuildOptions[]; ids: { guild: string; text: string; voice: string }[] } {
  const ids = Array.from({ length: shards }, (_, shard) => ({
    guild: guildIdOnShard(shard, shards),
    text: `3200000000000${String(shard).padStart(3, '0')}10`,
    voice: `3200000000000${String(shard).padStart(3, '0')}20`,
  }));
  const guilds = ids.map((g, shard) => ({
    id: g.guild,
    name: `Shard ${shard} guild`,
    channels: [
      { id: g.text, name: 'general', type: 'text' as const },
      { id: g.voice, name: 'Lounge', type: 'voice' as const },
    ],
    members: people.map((p) => ({ user: p })),
  }));
  return { guilds, ids };
}

/** A sharded stand-in (`GET /gateway/bot` recommends `shards`, all may identify at once). */
export async function startShardedStandin(shards: number, guilds: GuildOptions[]): Promise<Standin> {
  return startStandin({ logger: false, shards, maxConcurrency: shards, guilds });
}

/** Registers Attune's commands in each guild, as `deploy-commands --guild` would. */
export async function deployCommands(standin: Standin, guildIds: readonly string[]): Promise<void> {
  const rest = new REST({ api: standin.apiUrl }).setToken(standin.token);
  for (const guild of guildIds)
    await rest.put(Routes.applicationGuildCommands(standin.applicationId, guild), { body: commandDefinitions() });
}

/** `npm start` (the sharding manager and its shard processes) as one child process tree. */
export interface ShardedBot {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far (stdout and stderr of the manager and every shard). */
  output(): string;
  /** JSON log lines printed so far. */
  lines(): Record<string, unknown>[];
  /** SIGTERM to the manager (which stops its shards); resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node --import tsx src/bot/main.ts` with the stand-in's environment plus `env`, and waits for
 * the manager's `shards.started` line and `shards` shard processes' `bot.started` (models warmed).
 */
export function startShardedBot(
  standin: Standin,
  env: Record<string, string>,
  shards: number,
  timeoutMs = 90_000,
): Promise<ShardedBot> {
  return startBotProcess(
    standin,
    env,
    (lines) =>
      lines.some((l) => l['event'] === 'shards.started') &&
      lines.filter((l) => l['event'] === 'bot.started').length >= shards,
    'the sharded bot',
    timeoutMs,
  );
}

/** The same `npm start` with nothing sharded: one process, ready at its `bot.started` line. */
export function startSingleBot(
  standin: Standin,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<ShardedBot> {
  return startBotProcess(
    standin,
    env,
    (lines) => lines.some((l) => l['event'] === 'bot.started'),
    'the bot',
    timeoutMs,
  );
}

/** Spawns the bot (its own temporary data folder unless `env` names one) and waits until `ready`. */
async function startBotProcess(
  standin: Standin,
  env: Record<string, string>,
  ready: (lines: Record<string, unknown>[]) => boolean,
  what: string,
  timeoutMs: number,
): Promise<ShardedBot> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-shards-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bot/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...standin.env(), ATTUNE_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as unknown as ChildProcessWithoutNullStreams;
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const bot: ShardedBot = {
    child,
    output: () => out,
    lines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
  const started = Date.now();
  while (!ready(lines())) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${out.slice(-3000)}`);
    if (Date.now() - started > timeoutMs) {
      await bot.stop();
      throw new Error(`${what} did not start within ${timeoutMs} ms:\n${out.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return bot;
}

/** A fresh 32-byte master key as base64 (what ATTUNE_MASTER_KEY holds). */
export function newMasterKey(): string {
  return randomBytes(32).toString('base64');
}
