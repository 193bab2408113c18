import { planShards } from '../../../src/bot/sharding/shardPlan';

describe('planShards', () => {
  it('auto takes Discord’s recommended count, all shards on this host', () => {
    expect(planShards({ mode: 'auto' }, { shards: 3, maxConcurrency: 1 })).toEqual({
      shardList: [0, 1, 2],
      totalShards: 3,
      spawnDelayMs: 5500,
    });
  });

  it('a count ignores the recommendation; shards start together when the concurrency allows it', () => {
    expect(planShards({ mode: 'count', count: 2 }, { shards: 7, maxConcurrency: 16 })).toEqual({
      shardList: [0, 1],
      totalShards: 2,
      spawnDelayMs: 0,
    });
  });

  it('a host share starts only its shard ids of the total, spaced by the identify window over the concurrency', () => {
    expect(
      planShards({ mode: 'list', shardList: [4, 5, 6, 7], totalShards: 8 }, { shards: 8, maxConcurrency: 2 }),
    ).toEqual({ shardList: [4, 5, 6, 7], totalShards: 8, spawnDelayMs: 2750 });
  });

  it('never plans zero shards', () => {
    expect(planShards({ mode: 'auto' }, { shards: 0, maxConcurrency: 0 }).totalShards).toBe(1);
  });
});
