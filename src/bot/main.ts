/**
 * `npm start`: the entry point, which assembles the bot (the one file in src/bot that imports the
 * commands, to hand their list to the dispatcher). It reads the configuration once, opens the store, starts the engine workers and the
 * reply services, and logs in. A bad configuration prints what to fix and exits with code 1.
 *
 * With sharding configured (ATTUNE_SHARDS, or ATTUNE_SHARD_LIST + ATTUNE_TOTAL_SHARDS) this process
 * becomes the sharding manager and runs this same file once per shard as a child process; a child
 * (discord.js sets SHARDING_MANAGER in its environment) runs the bot for its shard.
 */
import { COMMANDS } from '../commands';
import { WorkerEngine } from '../ml/worker/WorkerEngine';
import { isStoreError, openStore, type AttuneStore } from '../storage';
import { AttuneBot } from './AttuneBot';
import { ConfigError, loadConfig, type BotConfig } from './config';
import { createReplyServices } from '../reply';
import { ShardLauncher } from './sharding/ShardLauncher';
import { createLogger, type Logger } from './util/log';
import { VoiceMessageEncoder } from './voice/voiceMessage';
import { PretrainedFilesError, assertPretrainedOnce } from '../ml/pretrained';

async function main(): Promise<void> {
  let config: BotConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  try {
    // The pretrained files first: a changed or missing one stops the bot before it touches the store.
    assertPretrainedOnce();
  } catch (error) {
    if (error instanceof PretrainedFilesError) {
      process.stderr.write(`Attune cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ minLevel: config.logLevel });
  const isShardProcess = process.env.SHARDING_MANAGER === 'true';
  if (config.sharding && !isShardProcess) {
    await runShardManager(config, config.sharding, logger);
    return;
  }
  const reply = createReplyServices(config.reply, { logger });
  if (!reply.ok) {
    process.stderr.write(`Attune cannot start: ${reply.message}\n`);
    process.exit(1);
  }
  let store: AttuneStore;
  try {
    // PostgreSQL when DATABASE_URL is set (several processes), otherwise SQLite in the data folder.
    store = await openStore({
      dataDir: config.dataDir,
      keepRawMedia: config.keepRawMedia,
      databaseUrl: config.databaseUrl ?? undefined,
      masterKey: config.masterKey ?? undefined,
    });
  } catch (error) {
    // Unreachable database, wrong master key, newer schema: the message names host/port/database at
    // most, never credentials or the key.
    if (isStoreError(error)) {
      process.stderr.write(`Attune cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const engine = new WorkerEngine();
  // Encoding a voice message costs hundreds of milliseconds of CPU: its own thread, started on first use.
  const voiceMessages = new VoiceMessageEncoder();
  const bot = new AttuneBot({
    config,
    store,
    engine,
    reply: reply.value,
    voiceMessages,
    logger,
    commands: COMMANDS,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('bot.stopping', { signal });
    bot.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error('bot.stop_failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // Load the face models before the first /ask needs them.
  const warm = engine.warmUp().catch((error) => logger.warn('engine.warmup_failed', { error }));
  await bot.start();
  await warm;
  logger.info('bot.started', {
    ...(isShardProcess ? { shard: process.env.SHARDS, totalShards: Number(process.env.SHARD_COUNT) } : {}),
    store: config.databaseUrl ? 'postgres' : 'sqlite',
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    apiUrl: config.apiUrl,
  });
}

/** The manager process: starts one child per shard and stops them all on SIGTERM/SIGINT. */
async function runShardManager(
  config: BotConfig,
  sharding: NonNullable<BotConfig['sharding']>,
  logger: Logger,
): Promise<void> {
  const launcher = new ShardLauncher({ file: __filename, config, sharding, logger });
  let stopping = false;
  const stop = (signal: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('shards.stopping', { signal });
    launcher.stop().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  try {
    const plan = await launcher.start();
    logger.info('shards.started', { shardList: plan.shardList, totalShards: plan.totalShards });
  } catch (error) {
    // A shard that cannot start (database unreachable, bad token) has printed why; stop the rest.
    process.stderr.write(`Attune cannot start its shards: ${(error as Error).message}\n`);
    stop('start_failed', 1);
  }
}

main().catch((error) => {
  // The token is never in an error message here: discord.js reports "An invalid token was provided".
  process.stderr.write(`Attune stopped: ${(error as Error).message}\n`);
  process.exit(1);
});
