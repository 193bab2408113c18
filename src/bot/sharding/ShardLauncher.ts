import { REST, Routes, ShardingManager, type Shard } from 'discord.js';
import type { BotConfig, ShardingConfig } from '../config';
import type { Logger } from '../util/log';
import { planShards, type GatewayBotInfo, type ShardPlan } from './shardPlan';

/** How long one shard process may take from start to a ready gateway connection. */
const SHARD_READY_TIMEOUT_MS = 120_000;

/** Asks Discord (or the configured API base) for the recommended shard count and identify concurrency. */
export async function fetchGatewayBot(config: Pick<BotConfig, 'apiUrl' | 'token'>): Promise<GatewayBotInfo> {
  const rest = new REST({ api: config.apiUrl }).setToken(config.token);
  let body: { shards?: unknown; session_start_limit?: { max_concurrency?: unknown } };
  try {
    body = (await rest.get(Routes.gatewayBot())) as typeof body;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    // The token is never part of the message: only what Discord answered.
    throw new Error(
      status === 401
        ? 'Discord refused the bot token (401) when asked for the shard count'
        : `could not ask Discord for the shard count: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { shards: Number(body.shards) || 1, maxConcurrency: Number(body.session_start_limit?.max_concurrency) || 1 };
}

/**
 * The sharding manager: one child process per shard, each running `file` (the bot's main) with its
 * own engine workers, voice connections and store connection; discord.js hands each child its shard
 * id and count (SHARDS, SHARD_COUNT) and restarts a child that dies. SIGTERM/SIGINT stop every child
 * gracefully, then this process.
 */
export class ShardLauncher {
  private manager: ShardingManager | null = null;
  private stopping = false;

  constructor(private readonly opts: { file: string; config: BotConfig; sharding: ShardingConfig; logger: Logger }) {}

  /** Plans, then starts the shards one after another (each waits for its gateway READY). */
  async start(): Promise<ShardPlan> {
    const { config, sharding, logger, file } = this.opts;
    const plan = planShards(sharding, await fetchGatewayBot(config));
    const manager = new ShardingManager(file, {
      token: config.token,
      totalShards: plan.totalShards,
      shardList: plan.shardList,
      mode: 'process',
      respawn: true,
      // The children run as this process does: compiled (npm start) or through tsx (npm run dev).
      execArgv: [...process.execArgv],
    });
    this.manager = manager;
    manager.on('shardCreate', (shard: Shard) => {
      logger.info('shard.starting', { shard: shard.id, totalShards: plan.totalShards });
      shard.on('death', (child) => {
        if (!this.stopping)
          logger.error('shard.died', {
            shard: shard.id,
            exitCode: 'exitCode' in child ? child.exitCode : null,
            restarting: manager.respawn,
          });
      });
      shard.on('reconnecting', () => logger.warn('shard.reconnecting', { shard: shard.id }));
    });
    logger.info('shards.plan', {
      shardList: plan.shardList,
      totalShards: plan.totalShards,
      spawnDelayMs: plan.spawnDelayMs,
    });
    await manager.spawn({ amount: plan.totalShards, delay: plan.spawnDelayMs, timeout: SHARD_READY_TIMEOUT_MS });
    return plan;
  }

  /** Stops every shard process (each ends its flows and closes its store), waiting at most `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    const manager = this.manager;
    if (!manager) return;
    manager.respawn = false;
    const exits = [...manager.shards.values()].map((shard) => {
      const child = shard.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      return exited;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([Promise.all(exits), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') for (const shard of manager.shards.values()) shard.process?.kill('SIGKILL');
  }
}
