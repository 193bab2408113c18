/**
 * `npm start`: reads the configuration once, opens the store, starts the engine workers and the
 * reply services, and logs in. A bad configuration prints what to fix and exits with code 1.
 */
import { WorkerEngine } from '../ml/worker/WorkerEngine';
import { isStoreError, openStore, type AttuneStore } from '../storage';
import { AttuneBot } from './AttuneBot';
import { ConfigError, loadConfig, type BotConfig } from './config';
import { replyServicesFromEnv } from './replyServices';
import { createLogger } from './util/log';

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
  const logger = createLogger({ minLevel: process.env.ATTUNE_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  const reply = replyServicesFromEnv(config.env, { info: (m, c) => logger.info(`reply.${m}`, c), warn: (m, c) => logger.warn(`reply.${m}`, c) });
  if (!reply.ok) {
    process.stderr.write(`Attune cannot start: ${reply.message}\n`);
    process.exit(1);
  }
  let store: AttuneStore;
  try {
    // PostgreSQL when DATABASE_URL is set (several processes), otherwise SQLite in the data folder.
    store = await openStore({ dataDir: config.dataDir, keepRawMedia: config.keepRawMedia, databaseUrl: config.databaseUrl ?? undefined, masterKey: config.masterKey ?? undefined });
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
  const bot = new AttuneBot({ config, store, engine, reply: reply.value, logger });

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
  logger.info('bot.started', { store: config.databaseUrl ? 'postgres' : 'sqlite', dataDir: config.databaseUrl ? undefined : config.dataDir, apiUrl: config.apiUrl });
}

main().catch((error) => {
  // The token is never in an error message here: discord.js reports "An invalid token was provided".
  process.stderr.write(`Attune stopped: ${(error as Error).message}\n`);
  process.exit(1);
});
