/**
 * A bot in its own process that echoes what it hears in voice, for transport tests that the jest
 * process cannot run: @discordjs/voice loads its XChaCha20 library (@noble/ciphers) with a dynamic
 * `import()`, which jest's CommonJS sandbox refuses, so inside jest only AES-256-GCM works. Here, in
 * plain Node, both modes do. Joins STANDIN_VOICE_CHANNEL undeafened, reports
 * `{event:'voiceReady', mode}`, then for each utterance of STANDIN_LISTEN_TO reports
 * `{event:'heard', packets:[hex...], error?}` and plays the packets back.
 */
import { Readable } from 'node:stream';
import {
  AudioPlayerStatus,
  EndBehaviorType,
  StreamType,
  VoiceConnectionStatus,
  createAudioPlayer,
  createAudioResource,
  entersState,
  joinVoiceChannel,
} from '@discordjs/voice';
import { Client, GatewayIntentBits } from 'discord.js';

const say = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, ...extra })}\n`);
};

const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
  rest: { api: process.env['DISCORD_API_URL'] ?? '' },
});
client.once('clientReady', (c) => void onReady(c));
async function onReady(c: Client<true>): Promise<void> {
  const guild = c.guilds.cache.first();
  const channelId = process.env['STANDIN_VOICE_CHANNEL'];
  const listenTo = process.env['STANDIN_LISTEN_TO'] ?? '';
  if (!guild || !channelId) return;
  const connection = joinVoiceChannel({
    guildId: guild.id,
    channelId,
    adapterCreator: guild.voiceAdapterCreator,
    selfDeaf: false,
  });
  try {
    await entersState(connection, VoiceConnectionStatus.Ready, 5000);
  } catch (error) {
    say('voiceFailed', { message: (error as Error).message });
    return;
  }
  const networking = Reflect.get(connection.state, 'networking') as
    { state: { connectionData?: { encryptionMode?: string } } } | undefined;
  say('voiceReady', { mode: networking?.state.connectionData?.encryptionMode });
  const player = createAudioPlayer();
  connection.subscribe(player);
  const listen = (): void => {
    const stream = connection.receiver.subscribe(listenTo, {
      end: { behavior: EndBehaviorType.AfterSilence, duration: 300 },
    });
    const packets: Buffer[] = [];
    stream.on('data', (packet: Buffer) => packets.push(packet));
    const done = (error?: Error): void => {
      say('heard', { packets: packets.map((p) => p.toString('hex')), ...(error ? { error: error.message } : {}) });
      const audio = packets.filter((p) => !p.equals(Buffer.from([0xf8, 0xff, 0xfe])));
      if (audio.length > 0) {
        player.play(createAudioResource(Readable.from(audio), { inputType: StreamType.Opus }));
        void entersState(player, AudioPlayerStatus.Idle, 10_000).then(
          () => say('echoed', { packets: audio.length }),
          () => undefined,
        );
      }
      setImmediate(listen);
    };
    stream.once('end', () => done());
    stream.once('error', (error) => done(error));
  };
  listen();
}
process.once('SIGTERM', () => {
  void client.destroy().then(() => process.exit(0));
});
void client.login(process.env['DISCORD_TOKEN']);
