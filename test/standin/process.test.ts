import { runTsx as run, stopChild as stop } from './childProcess';
import type { Json } from './index';

describe('stand-in and bot as separate processes (cli.ts, control API, NODE_EXTRA_CA_CERTS)', () => {
  let standin: ReturnType<typeof run> | undefined;
  let bot: ReturnType<typeof run> | undefined;

  afterAll(async () => {
    await stop(bot?.child);
    await stop(standin?.child);
  });

  test('the CLI prints its URLs; a bot process logs in, joins voice over TLS and answers a command driven through the control API', async () => {
    standin = run('cli.ts');
    const info = await standin.next((line) => typeof line['apiUrl'] === 'string');
    expect(String(info['apiUrl'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    const env = info['env'] as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual([
      'ATTUNE_EXTRA_ATTACHMENT_HOSTS',
      'DISCORD_API_URL',
      'DISCORD_APPLICATION_ID',
      'DISCORD_DEV_GUILD_ID',
      'DISCORD_TOKEN',
      'NODE_EXTRA_CA_CERTS',
    ]);
    expect(env['ATTUNE_EXTRA_ATTACHMENT_HOSTS']).toBe(new URL(String(info['cdnUrl'])).host);

    bot = run('childBot.fixture.ts', { ...env, STANDIN_VOICE_CHANNEL: '100000000000000020' });
    expect(await bot.next((line) => line['event'] === 'ready')).toMatchObject({ guilds: 1 });
    expect(await bot.next((line) => line['event'] === 'voiceReady' || line['event'] === 'voiceFailed')).toMatchObject({
      event: 'voiceReady',
    });

    const control = String(info['controlUrl']);
    const post = async (route: string, body: Json): Promise<Json> => {
      const response = await fetch(`${control}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as Json;
    };
    const { interactionId } = await post('/slash', {
      guildId: '100000000000000001',
      channelId: '100000000000000010',
      userId: 'alice',
      name: 'ping',
    });
    let state: Json = {};
    for (let i = 0; i < 100 && !state['original']; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await (await fetch(`${control}/interactions/${String(interactionId)}`)).json()) as Json;
    }
    expect(String((state['original'] as Json)['content'])).toMatch(/^pong from pid \d+$/);
    expect(
      await post('/slash', {
        guildId: '100000000000000001',
        channelId: '100000000000000010',
        userId: 'nobody',
        name: 'ping',
      }),
    ).toMatchObject({ message: expect.stringMatching(/no user "nobody"/) as unknown });

    // The call is end-to-end encrypted: alice joins through the control API and she and the bot form the DAVE group.
    expect(info).toMatchObject({ dave: true, modes: ['aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize'] });
    const joined = await fetch(`${control}/voice/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'alice', guildId: '100000000000000001', channelId: '100000000000000020' }),
    });
    expect(joined.ok).toBe(true);
    let dave: Json = {};
    for (
      let i = 0;
      i < 100 &&
      !(
        dave['established'] === true &&
        dave['transitionPending'] === false &&
        (dave['members'] as string[]).length === 2
      );
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      dave = (await (await fetch(`${control}/voice/dave/100000000000000001`)).json()) as Json;
    }
    expect(dave).toMatchObject({ protocolVersion: 1, established: true, epoch: 1, botInGroup: true });
    expect(dave['members']).toContain('100000000000000100');
  });
});
