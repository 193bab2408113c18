import { Client, GatewayIntentBits } from 'discord.js';
import { type Standin, startStandin } from './Standin';
import { shardForGuild } from './gateway/GatewayServer';
import { rawText } from './util/text';
import type { RawData } from 'ws';

/** A guild id whose events go to `shard` of `n`: the shard comes from the id's timestamp bits. */
function guildIdOnShard(shard: number, n: number, salt: number): string {
  const id = ((300_000_000_000n + BigInt(salt) * BigInt(n) + BigInt(shard)) << 22n) + 7n;
  return String(id);
}

const GUILD_0 = guildIdOnShard(0, 2, 1);
const GUILD_1 = guildIdOnShard(1, 2, 1);
const member = (id: string, username: string) => ({ user: { id, username } });

describe('stand-in sharding: GET /gateway/bot, IDENTIFY [id, n], events routed by guild, resume per shard', () => {
  let standin: Standin;
  const clients: Client[] = [];

  beforeAll(async () => {
    standin = await startStandin({
      logger: false,
      shards: 2,
      maxConcurrency: 2,
      guilds: [
        {
          id: GUILD_0,
          name: 'Zero',
          channels: [{ id: '200000000000000010', name: 'general', type: 'text' }],
          members: [member('200000000000000100', 'alice')],
        },
        {
          id: GUILD_1,
          name: 'One',
          channels: [{ id: '200000000000000011', name: 'general', type: 'text' }],
          members: [member('200000000000000100', 'alice')],
        },
      ],
    });
    for (const shard of [0, 1]) {
      const client = new Client({
        intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages],
        rest: { api: standin.apiUrl },
        shards: [shard],
        shardCount: 2,
      });
      const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
      await client.login(standin.token);
      await ready;
      clients.push(client);
    }
  });
  afterAll(async () => {
    for (const client of clients) await client.destroy();
    await standin?.close();
  });

  test('the routing rule is (guild_id >> 22) % n', () => {
    expect(shardForGuild(GUILD_0, 2)).toBe(0);
    expect(shardForGuild(GUILD_1, 2)).toBe(1);
    expect(shardForGuild('41771983423143937', 1)).toBe(0);
    // 197038439483310086 >> 22 = 46977624770: shard 0 of 2, shard 2 of 3.
    expect(shardForGuild('197038439483310086', 2)).toBe(0);
    expect(shardForGuild('197038439483310086', 3)).toBe(2);
  });

  test('GET /gateway/bot recommends the configured shard count and concurrency', async () => {
    const body = (await clients[0]!.rest.get('/gateway/bot')) as {
      shards: number;
      session_start_limit: { max_concurrency: number };
    };
    expect(body.shards).toBe(2);
    expect(body.session_start_limit.max_concurrency).toBe(2);
  });

  test('each shard is told only about its own guilds', () => {
    expect(standin.gateway.connectedShards()).toEqual([0, 1]);
    expect(standin.gateway.numShards).toBe(2);
    expect([...clients[0]!.guilds.cache.keys()]).toEqual([GUILD_0]);
    expect([...clients[1]!.guilds.cache.keys()]).toEqual([GUILD_1]);
    expect(standin.shardOf(GUILD_1)).toBe(1);
  });

  test('messages and interactions go to the shard of their guild only', async () => {
    const seen: string[] = [];
    clients.forEach((client, shard) => {
      client.on('messageCreate', (m) =>
        seen.push(`message ${m.guildId === GUILD_0 ? 'Zero' : 'One'} on shard ${shard}`),
      );
      client.on('interactionCreate', (i) =>
        seen.push(`interaction ${i.guildId === GUILD_0 ? 'Zero' : 'One'} on shard ${shard}`),
      );
    });
    standin.sendMessage({ channelId: '200000000000000010', userId: 'alice', content: 'hi zero' });
    standin.sendMessage({ channelId: '200000000000000011', userId: 'alice', content: 'hi one' });
    standin.runSlashCommand({ guildId: GUILD_1, channelId: '200000000000000011', userId: 'alice', name: 'profile' });
    standin.runSlashCommand({ guildId: GUILD_0, channelId: '200000000000000010', userId: 'alice', name: 'profile' });
    await standin.waitFor(() => seen.length >= 4, 5000, 'four events');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.sort()).toEqual([
      'interaction One on shard 1',
      'interaction Zero on shard 0',
      'message One on shard 1',
      'message Zero on shard 0',
    ]);
  });

  test('one shard resumes its own session; events sent meanwhile reach it, the other shard is untouched', async () => {
    const resumesBefore = standin.gateway.stats.resumes;
    const shard0Session = standin.gateway.sessionId(0);
    expect(await standin.forceGatewayReconnect('close', 15_000, 1)).toBe('resumed');
    expect(standin.gateway.stats.resumes).toBe(resumesBefore + 1);
    expect(standin.gateway.sessionId(0)).toBe(shard0Session);
    const received = new Promise<string>((resolve) => clients[1]!.on('messageCreate', (m) => resolve(m.content)));
    standin.sendMessage({ channelId: '200000000000000011', userId: 'alice', content: 'after resume' });
    expect(await received).toBe('after resume');
  });

  test('an IDENTIFY with an impossible shard is closed with 4010', async () => {
    const { WebSocket } = await import('ws');
    const socket = new WebSocket(standin.gatewayUrl);
    const code = await new Promise<number>((resolve) => {
      socket.on('message', (raw: RawData) => {
        const packet = JSON.parse(rawText(raw)) as { op: number };
        if (packet.op === 10)
          socket.send(
            JSON.stringify({ op: 2, d: { token: standin.token, intents: 1, properties: {}, shard: [2, 2] } }),
          );
      });
      socket.on('close', (c) => resolve(c));
    });
    expect(code).toBe(4010);
  });
});
