/**
 * A minimal bot in its own process, for the cross-process test: logs in with DISCORD_API_URL and
 * DISCORD_TOKEN, answers /ping, joins the voice channel given in STANDIN_VOICE_CHANNEL and reports
 * each step as a JSON line. It trusts the voice certificate only through NODE_EXTRA_CA_CERTS.
 */
import { VoiceConnectionStatus, entersState, joinVoiceChannel } from '@discordjs/voice';
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
  say('ready', { guilds: c.guilds.cache.size });
  const guild = c.guilds.cache.first();
  const channelId = process.env['STANDIN_VOICE_CHANNEL'];
  if (guild && channelId) {
    const connection = joinVoiceChannel({
      guildId: guild.id,
      channelId,
      adapterCreator: guild.voiceAdapterCreator,
      selfDeaf: false,
    });
    try {
      await entersState(connection, VoiceConnectionStatus.Ready, 5000);
      say('voiceReady');
    } catch (error) {
      say('voiceFailed', { message: (error as Error).message });
    }
  }
}
client.on('interactionCreate', (interaction) => {
  if (interaction.isChatInputCommand()) void interaction.reply(`pong from pid ${process.pid}`);
});
process.once('SIGTERM', () => {
  void client.destroy().then(() => process.exit(0));
});
void client.login(process.env['DISCORD_TOKEN']);
