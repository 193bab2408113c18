/**
 * `npm run --silent bench:shards [-- --json] [--guilds N] [--people N] [--users N] [--rounds N] [--forgets N]`:
 * sharded Attune against the stand-in and a local PostgreSQL (started here, durable settings), next to
 * the single-process SQLite default. Prints numbers (one JSON document with --json); asserts nothing.
 *  1. `/ask` with a photo, `--users` people at once (default 20), each asking `--rounds` times, in a
 *     world of `--guilds` guilds per shard (default 50) and `--people` calibrated people (default 500,
 *     every one a member of every guild): one process on SQLite (`ask_p95_ms_single`), then
 *     `ATTUNE_SHARDS=2` on PostgreSQL (`ask_p95_ms_sharded`), from dispatch to the answer text.
 *  2. Cross-shard /forget: a calibration collecting on shard 1, /forget confirmed on shard 0, until the
 *     calibration's message says it stopped (`forget_cross_shard_*`).
 *  3. The store on that PostgreSQL: one calibration sample write and one model load (bench/store.ts).
 * Per-process RSS is read from /proc after the asks. Needs ../shared/data (Yale faces) and PostgreSQL.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONSENT_SCOPE, consentTextVersion } from '../src/bot/calibration/consent';
import { GENERIC_ERROR_MESSAGE } from '../src/bot/errors';
import type { LabelledSample } from '../src/ml/types';
import { WorkerEngine } from '../src/ml/worker/WorkerEngine';
import { openStore, type AttuneStore } from '../src/storage';
import { runStoreBenchmark } from './store';
import { startTempPostgres } from '../src/storage/testing/tempPostgres';
import type { Standin } from '../test/standin';
import type { GuildOptions } from '../test/standin/world/World';
import { originalText } from '../test/e2e/helpers/harness';
import { yaleFace, type YaleCondition } from '../test/e2e/helpers/media';
import {
  deployCommands,
  guildIdOnShard,
  startShardedBot,
  startSingleBot,
  startShardedStandin,
  type ShardedBot,
} from '../test/e2e/helpers/shardedBot';

const args = process.argv.slice(2);
const JSON_OUTPUT = args.includes('--json');
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : NaN;
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const SHARDS = 2;
const GUILDS_PER_SHARD = flag('guilds', 50);
const PEOPLE = flag('people', 500);
const USERS = Math.min(flag('users', 20), PEOPLE);
const ROUNDS = flag('rounds', 5);
// Each forget uses its own seeded person, so there are at most as many as people.
const FORGETS = Math.min(flag('forgets', 20), PEOPLE);
const EMOTIONS = ['happy', 'neutral', 'sad'] as const;
const YALE: Record<(typeof EMOTIONS)[number], YaleCondition[]> = {
  happy: ['happy', 'wink'],
  neutral: ['normal', 'noglasses'],
  sad: ['sad', 'sleepy'],
};

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const log = (line: string) => process.stderr.write(`${line}\n`);

const personId = (p: number) => String(330_000_000_000_000_000n + BigInt(p));

interface World {
  guilds: GuildOptions[];
  /** Per guild: id and text channel id. */
  places: { guild: string; text: string; shard: number }[];
}

/** `GUILDS_PER_SHARD` guilds on each shard (ids chosen so the routing puts them there), every person in each. */
function buildWorld(): World {
  const members = Array.from({ length: PEOPLE }, (_, p) => ({ user: { id: personId(p), username: `person${p}` } }));
  const places: World['places'] = [];
  const guilds: GuildOptions[] = [];
  for (let g = 0; g < GUILDS_PER_SHARD; g++) {
    for (let shard = 0; shard < SHARDS; shard++) {
      const guild = guildIdOnShard(shard, SHARDS, g);
      const text = String(BigInt(guild) + 10n);
      places.push({ guild, text, shard });
      guilds.push({
        id: guild,
        name: `guild ${g}/${shard}`,
        channels: [{ id: text, name: 'general', type: 'text' }],
        members,
      });
    }
  }
  return { guilds, places };
}

/** One real model, trained by the engine on Yale photos of one subject, given to every person. */
async function trainModel(): Promise<Awaited<ReturnType<WorkerEngine['train']>>> {
  const engine = new WorkerEngine();
  try {
    const samples: LabelledSample[] = [];
    for (const emotion of EMOTIONS) {
      for (const condition of YALE[emotion]) {
        for (const subject of [1, 2]) {
          const f = await engine.analyzeFace(yaleFace(subject, condition));
          if (f.ok) samples.push({ emotion, face: f.value });
        }
      }
    }
    return await engine.train(samples, [...EMOTIONS]);
  } finally {
    await engine.close();
  }
}

async function seed(store: AttuneStore, model: Parameters<AttuneStore['saveModel']>[1]): Promise<void> {
  for (let p = 0; p < PEOPLE; p++) {
    await store.grantConsent(personId(p), { textVersion: consentTextVersion(null), scope: CONSENT_SCOPE });
    await store.saveModel(personId(p), model);
  }
}

/** RSS in MB of the bot process and each of its children (the shard processes). */
function rssOf(bot: ShardedBot): Record<string, number> {
  const pids = [bot.child.pid!];
  try {
    pids.push(
      ...execFileSync('ps', ['-o', 'pid=', '--ppid', String(bot.child.pid)], { encoding: 'utf8' })
        .split('\n')
        .map((s) => Number(s.trim()))
        .filter((n) => n > 0),
    );
  } catch {
    // No children (single process).
  }
  const out: Record<string, number> = {};
  for (const [i, pid] of pids.entries()) {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    out[i === 0 ? 'main' : `shard_process_${i - 1}`] = round(kb / 1024, 0);
  }
  return out;
}

/** `USERS` people asking at once, `ROUNDS` times each, in guilds spread over every shard. */
async function askLoad(standin: Standin, places: World['places']): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const photos = (['happy', 'normal', 'sad'] as const).flatMap((c) => [1, 2, 3].map((s) => yaleFace(s, c)));
  const one = async (user: number, round: number) => {
    const place = places[(user * 7 + round * 3) % places.length]!;
    const photo = standin.addAttachment(photos[(user + round) % photos.length]!, {
      filename: 'me.jpg',
      contentType: 'image/jpeg',
    });
    const started = Date.now();
    const handle = standin.runSlashCommand({
      guildId: place.guild,
      channelId: place.text,
      userId: personId(user),
      name: 'ask',
      options: { question: 'How are you?', photo },
    });
    try {
      await handle.waitFor(
        (h) => originalText(h).includes('**Overall:**') || originalText(h).includes(GENERIC_ERROR_MESSAGE),
        60_000,
        'an answer',
      );
      if (!originalText(handle).includes('**Overall:**') || originalText(handle).includes('Not calibrated'))
        errors += 1;
      else latencies.push(Date.now() - started);
      // The spoken reply follows as a voice message; the next question waits for it, like a person would.
      await handle.waitFor((h) => h.followUps.length > 0, 60_000, 'the voice message');
    } catch {
      errors += 1;
    }
  };
  await Promise.all(
    Array.from({ length: USERS }, async (_, user) => {
      for (let r = 0; r < ROUNDS; r++) await one(user, r);
    }),
  );
  return { latencies, errors };
}

/** Warm-up: one /ask per shard, so the first face analysis (model load, JIT) is not measured. */
async function warmUp(standin: Standin, places: World['places']): Promise<void> {
  const firsts = [...new Map(places.map((p) => [p.shard, p])).values()];
  await Promise.all(
    firsts.map(async (place, i) => {
      const photo = standin.addAttachment(yaleFace(4, 'happy'), { filename: 'w.jpg', contentType: 'image/jpeg' });
      const h = standin.runSlashCommand({
        guildId: place.guild,
        channelId: place.text,
        userId: personId(PEOPLE - 1 - i),
        name: 'ask',
        options: { question: 'Hi', photo },
      });
      await h.waitFor((x) => x.followUps.length > 0, 90_000, 'warm-up answer');
    }),
  );
}

/** Calibration collecting on a shard-1 guild, /forget confirmed on a shard-0 guild: ms until it stopped. */
async function crossShardForget(standin: Standin, places: World['places'], p: number): Promise<number> {
  const on1 = places.find((x) => x.shard === 1)!;
  const on0 = places.find((x) => x.shard === 0)!;
  const user = personId(p);
  const cal = standin.runSlashCommand({
    guildId: on1.guild,
    channelId: on1.text,
    userId: user,
    name: 'calibrate',
    options: { samples: 2 },
  });
  // Seeded people have agreed to the current consent already: the flow starts collecting at once.
  await cal.waitFor(
    (h) => JSON.stringify(h.originalJson?.['components'] ?? []).includes(`cal:cancel:${user}`),
    20_000,
    'the calibration collecting',
  );
  const forget = standin.runSlashCommand({ guildId: on0.guild, channelId: on0.text, userId: user, name: 'forget' });
  await forget.waitFor(
    (h) => JSON.stringify(h.originalJson?.['components'] ?? []).includes(`forget:confirm:${user}`),
    20_000,
    'the forget confirmation',
  );
  const clickedAt = Date.now();
  standin.clickButton({ message: forget.original!, customId: `forget:confirm:${user}`, userId: user });
  await cal.waitFor(
    (h) => originalText(h).includes('everything about you was deleted'),
    10_000,
    'the calibration stopped',
  );
  return Date.now() - clickedAt;
}

async function runBot(
  mode: 'single' | 'sharded',
  world: World,
  model: Parameters<AttuneStore['saveModel']>[1],
  pgUrl: string,
  masterKey: string,
) {
  const standin = await startShardedStandin(mode === 'single' ? 1 : SHARDS, world.guilds);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-bench-shards-'));
  let bot: ShardedBot | undefined;
  try {
    const t0 = Date.now();
    await deployCommands(
      standin,
      world.places.map((p) => p.guild),
    );
    const store = mode === 'single' ? await openStore({ dataDir }) : await openStore({ databaseUrl: pgUrl, masterKey });
    try {
      await seed(store, model);
    } finally {
      await store.close();
    }
    log(
      `${mode}: world of ${world.places.length} guilds and ${PEOPLE} calibrated people set up in ${Date.now() - t0} ms`,
    );
    const env: Record<string, string> =
      mode === 'single'
        ? { ATTUNE_DATA_DIR: dataDir }
        : {
            ATTUNE_DATA_DIR: dataDir,
            DATABASE_URL: pgUrl,
            ATTUNE_MASTER_KEY: masterKey,
            ATTUNE_SHARDS: String(SHARDS),
          };
    // The single process has no manager: it prints bot.started, not shards.started.
    bot = mode === 'single' ? await startSingleBot(standin, env) : await startShardedBot(standin, env, SHARDS, 180_000);
    await warmUp(standin, world.places);
    const asks = await askLoad(standin, world.places);
    const rss = rssOf(bot);
    log(
      `${mode}: ${asks.latencies.length} answers, p95 ${percentile(asks.latencies, 0.95)} ms, errors ${asks.errors}, rss ${JSON.stringify(rss)}`,
    );
    const forgets: number[] = [];
    let forgetErrors = 0;
    if (mode === 'sharded') {
      for (let k = 0; k < FORGETS; k++) {
        try {
          forgets.push(await crossShardForget(standin, world.places, k));
        } catch (error) {
          forgetErrors += 1;
          log(`forget ${k}: ${(error as Error).message}`);
        }
      }
      log(`cross-shard forget: ${forgets.join(' ')} ms`);
    }
    const errorLines = bot.lines().filter((l) => l['level'] === 'error').length;
    return { asks, rss, forgets, forgetErrors, errorLines };
  } finally {
    await bot?.stop();
    await standin.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const trained = await trainModel();
  if (!trained.ok) throw new Error(`could not train the shared model: ${trained.message}`);
  const world = buildWorld();
  const pg = await startTempPostgres({ durable: true });
  try {
    const masterKey = randomBytes(32).toString('base64');
    const storeUrl = await pg.createDatabase('attune_store_bench');
    const storeBench = await (async () => {
      const store = await openStore({ databaseUrl: storeUrl, masterKey });
      try {
        return await runStoreBenchmark(store, 'postgres', 200);
      } finally {
        await store.close();
      }
    })();
    log(`store: write p95 ${storeBench.calibrationWriteP95Ms} ms, model load p95 ${storeBench.loadModelP95Ms} ms`);
    const single = await runBot('single', world, trained.value, '', masterKey);
    const botUrl = await pg.createDatabase('attune_shards_bench');
    const sharded = await runBot('sharded', world, trained.value, botUrl, masterKey);
    const p95Single = percentile(single.asks.latencies, 0.95);
    const p95Sharded = percentile(sharded.asks.latencies, 0.95);
    const result = {
      shards: SHARDS,
      guilds_per_shard: GUILDS_PER_SHARD,
      people: PEOPLE,
      concurrent_users: USERS,
      asks_per_mode: USERS * ROUNDS,
      cores: os.cpus().length,
      ask_p50_ms_single: percentile(single.asks.latencies, 0.5),
      ask_p95_ms_single: p95Single,
      ask_p50_ms_sharded: percentile(sharded.asks.latencies, 0.5),
      ask_p95_ms_sharded: p95Sharded,
      ask_p95_sharded_vs_single: round(p95Sharded / p95Single - 1, 3),
      forget_cross_shard_p50_ms: percentile(sharded.forgets, 0.5),
      forget_cross_shard_p99_ms: percentile(sharded.forgets, 0.99),
      forget_cross_shard_n: sharded.forgets.length,
      errors: single.asks.errors + sharded.asks.errors + sharded.forgetErrors,
      error_log_lines: single.errorLines + sharded.errorLines,
      store_write_p95_ms: storeBench.calibrationWriteP95Ms,
      model_load_p95_ms: storeBench.loadModelP95Ms,
      model_load_p99_ms: storeBench.loadModelP99Ms,
      rss_mb_single: single.rss,
      rss_mb_sharded: sharded.rss,
    };
    if (JSON_OUTPUT) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      for (const [name, value] of Object.entries(result))
        process.stdout.write(`${name.padEnd(28)} ${typeof value === 'object' ? JSON.stringify(value) : value}\n`);
  } finally {
    await pg.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:shards failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
