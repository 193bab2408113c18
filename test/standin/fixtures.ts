import {
  EndBehaviorType,
  type VoiceConnection,
  VoiceConnectionStatus,
  entersState,
  joinVoiceChannel,
} from '@discordjs/voice';
import { Client, GatewayIntentBits } from 'discord.js';
import { type Standin, type StandinOptions, startStandin } from './Standin';

/** Ids used by the stand-in's own tests (and handy for bot tests): one guild, a text and a voice channel, two people. */
export const TEST_IDS = {
  guild: '100000000000000001',
  text: '100000000000000010',
  voice: '100000000000000020',
  alice: '100000000000000100',
  bob: '100000000000000200',
} as const;

/**
 * A stand-in with guild "Test Guild": #general (text), "Lounge" (voice), members alice and bob (bob
 * manages the server). `overrides` may set the voice server options (DAVE off, modes) or a logger.
 */
export function startTestStandin(overrides: Pick<StandinOptions, 'voice' | 'logger'> = {}): Promise<Standin> {
  return startStandin({
    logger: false,
    ...overrides,
    guilds: [
      {
        id: TEST_IDS.guild,
        name: 'Test Guild',
        channels: [
          { id: TEST_IDS.text, name: 'general', type: 'text' },
          { id: TEST_IDS.voice, name: 'Lounge', type: 'voice' },
        ],
        members: [
          { user: { id: TEST_IDS.alice, username: 'alice' } },
          {
            user: { id: TEST_IDS.bob, username: 'bob' },
            permissions: ['ViewChannel', 'SendMessages', 'Connect', 'Speak', 'ManageGuild', 'UseApplicationCommands'],
          },
        ],
      },
    ],
  });
}

/** A discord.js client with the intents Attune uses, pointed at the stand-in and logged in (resolves on clientReady). */
export async function loginClient(standin: Standin): Promise<Client<true>> {
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildVoiceStates,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
    ],
    rest: { api: standin.apiUrl },
  });
  const ready = new Promise<Client<true>>((resolve) => client.once('clientReady', (c) => resolve(c)));
  await client.login(standin.token);
  return ready;
}

/**
 * A logged-in client whose bot sits (not deafened) in the test voice channel, with alice there too;
 * with DAVE on, resolves once the bot and alice form the channel's DAVE group.
 */
export interface VoiceFixture {
  standin: Standin;
  client: Client<true>;
  connection: VoiceConnection;
  close(): Promise<void>;
}

export async function startVoiceFixture(
  overrides: Pick<StandinOptions, 'voice' | 'logger'> = {},
): Promise<VoiceFixture> {
  const standin = await startTestStandin(overrides);
  const client = await loginClient(standin);
  const guild = client.guilds.cache.get(TEST_IDS.guild)!;
  const connection = joinVoiceChannel({
    guildId: guild.id,
    channelId: TEST_IDS.voice,
    adapterCreator: guild.voiceAdapterCreator,
    selfDeaf: false,
  });
  await entersState(connection, VoiceConnectionStatus.Ready, 5000);
  standin.joinVoice(TEST_IDS.alice, TEST_IDS.guild, TEST_IDS.voice);
  if (standin.voice.dave) await standin.waitForDave(TEST_IDS.guild, { members: [standin.botUser.id, TEST_IDS.alice] });
  return {
    standin,
    client,
    connection,
    async close() {
      if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
      await client.destroy();
      await standin.close();
    },
  };
}

/**
 * Collects what the unmodified library's receive stream for `userId` yields, until it ends after
 * `silenceMs` or errors (a decryption error destroys the library's stream).
 */
export function collectReceived(
  connection: VoiceConnection,
  userId: string,
  silenceMs = 300,
): Promise<{ packets: Buffer[]; error?: Error }> {
  const stream = connection.receiver.subscribe(userId, {
    end: { behavior: EndBehaviorType.AfterSilence, duration: silenceMs },
  });
  const packets: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on('data', (packet: Buffer) => packets.push(packet));
    stream.once('end', () => resolve({ packets }));
    stream.once('error', (error) => resolve({ packets, error }));
  });
}
