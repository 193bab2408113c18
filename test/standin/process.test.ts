import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { Json } from './index';

const TSX_CLI = require.resolve('tsx/cli');
const ROOT = path.resolve(__dirname, '../..');

/** Starts a TypeScript file with tsx under the same Node; returns the process and a reader of its JSON lines. */
function run(file: string, env: Record<string, string> = {}): { child: ChildProcessWithoutNullStreams; next: (predicate: (line: Json) => boolean, timeoutMs?: number) => Promise<Json> } {
  const child = spawn(process.execPath, [TSX_CLI, path.join(__dirname, file)], { cwd: ROOT, env: { ...process.env, ...env } });
  const lines: Json[] = [];
  const waiters: (() => void)[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Json);
    } catch {
      return;
    }
    waiters.splice(0).forEach((wake) => wake());
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const next = (predicate: (line: Json) => boolean, timeoutMs = 20_000): Promise<Json> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file}: no matching line in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
      const check = (): void => {
        const found = lines.find(predicate);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return { child, next };
}

async function stop(child: ChildProcessWithoutNullStreams | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

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
    expect(Object.keys(env).sort()).toEqual(['ATTUNE_EXTRA_ATTACHMENT_HOSTS', 'DISCORD_API_URL', 'DISCORD_APPLICATION_ID', 'DISCORD_DEV_GUILD_ID', 'DISCORD_TOKEN', 'NODE_EXTRA_CA_CERTS']);
    expect(env['ATTUNE_EXTRA_ATTACHMENT_HOSTS']).toBe(new URL(String(info['cdnUrl'])).host);

    bot = run('childBot.fixture.ts', { ...env, STANDIN_VOICE_CHANNEL: '100000000000000020' });
    expect(await bot.next((line) => line['event'] === 'ready')).toMatchObject({ guilds: 1 });
    expect(await bot.next((line) => line['event'] === 'voiceReady' || line['event'] === 'voiceFailed')).toMatchObject({ event: 'voiceReady' });

    const control = String(info['controlUrl']);
    const post = async (route: string, body: Json): Promise<Json> => {
      const response = await fetch(`${control}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as Json;
    };
    const { interactionId } = await post('/slash', { guildId: '100000000000000001', channelId: '100000000000000010', userId: 'alice', name: 'ping' });
    let state: Json = {};
    for (let i = 0; i < 100 && !state['original']; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await (await fetch(`${control}/interactions/${String(interactionId)}`)).json()) as Json;
    }
    expect(String((state['original'] as Json)['content'])).toMatch(/^pong from pid \d+$/);
    expect(await post('/slash', { guildId: '100000000000000001', channelId: '100000000000000010', userId: 'nobody', name: 'ping' })).toMatchObject({ message: expect.stringMatching(/no user "nobody"/) });
  });
});
