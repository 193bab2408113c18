import type { ShardingConfig } from '../config';

/** What `GET /gateway/bot` says about starting shards. */
export interface GatewayBotInfo {
  /** Discord's recommended shard count. */
  shards: number;
  /** How many shards may identify in the same 5 s window. */
  maxConcurrency: number;
}

/** The shards this host starts and how far apart. */
export interface ShardPlan {
  shardList: number[];
  totalShards: number;
  /** Pause between one shard being ready and the next being started, ms. */
  spawnDelayMs: number;
}

/** Discord allows one identify per concurrency bucket every 5 s; a little margin on top. */
const IDENTIFY_WINDOW_MS = 5_500;

/**
 * Turns the configuration and Discord's answer into the shards to start. With `max_concurrency` at
 * least the number of shards here, they may all identify at once; otherwise they are spaced so no
 * more than `max_concurrency` identify per window.
 */
export function planShards(sharding: ShardingConfig, gateway: GatewayBotInfo): ShardPlan {
  const totalShards =
    sharding.mode === 'auto'
      ? Math.max(1, gateway.shards)
      : sharding.mode === 'count'
        ? sharding.count
        : sharding.totalShards;
  const shardList =
    sharding.mode === 'list' ? [...sharding.shardList] : Array.from({ length: totalShards }, (_, i) => i);
  const concurrency = Math.max(1, gateway.maxConcurrency);
  const spawnDelayMs = concurrency >= shardList.length ? 0 : Math.ceil(IDENTIFY_WINDOW_MS / concurrency);
  return { shardList, totalShards, spawnDelayMs };
}
