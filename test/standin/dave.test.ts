import { Readable } from 'node:stream';
import {
  AudioPlayerStatus,
  StreamType,
  type VoiceConnection,
  VoiceConnectionStatus,
  createAudioPlayer,
  createAudioResource,
  entersState,
  joinVoiceChannel,
} from '@discordjs/voice';
import type { Client } from 'discord.js';
import { SILENCE_FRAME, type Standin, encodeOpusPackets, sineWave, startStandin } from './index';
import { TEST_IDS, type VoiceFixture, loginClient, startVoiceFixture, collectReceived } from './fixtures';
import { looksDaveEncrypted } from './voice/rtp';

const audioOf = (packets: Buffer[]): string[] =>
  packets.filter((p) => !p.equals(SILENCE_FRAME)).map((p) => p.toString('hex'));
const hex = (packets: Buffer[]): string[] => packets.map((p) => p.toString('hex'));

/** The bot plays Opus packets and waits until the stand-in has them all. */
async function botPlays(standin: Standin, connection: VoiceConnection, packets: Buffer[]): Promise<void> {
  standin.clearBotAudio(TEST_IDS.guild);
  const player = createAudioPlayer();
  connection.subscribe(player);
  player.play(createAudioResource(Readable.from(packets), { inputType: StreamType.Opus }));
  await entersState(player, AudioPlayerStatus.Playing, 2000);
  await entersState(player, AudioPlayerStatus.Idle, 5000);
  await standin.waitForBotAudio(TEST_IDS.guild, { minPackets: packets.length, quietMs: 100 });
}

describe('DAVE calls with the unmodified @discordjs/voice bot', () => {
  let fixture: VoiceFixture;
  let standin: Standin;
  let connection: VoiceConnection;
  let bot: string;

  beforeAll(async () => {
    fixture = await startVoiceFixture();
    ({ standin, connection } = fixture);
    bot = standin.botUser.id;
  });

  afterAll(async () => {
    await fixture?.close();
  });

  // The last datagrams of the previous test's speech may still be on their way: start when the bot has
  // marked everyone silent again (@discordjs/voice does so 100 ms after a user's last packet).
  beforeEach(() =>
    standin.waitFor(() => connection.receiver.speaking.users.size === 0, 3000, 'the bot to hear silence'),
  );

  test('the bot and alice form the group: epoch 1, both leaves, one commit, one executed transition', () => {
    const dave = standin.dave(TEST_IDS.guild);
    expect(dave).toMatchObject({
      protocolVersion: 1,
      established: true,
      epoch: 1,
      botInGroup: true,
      commitsAccepted: 1,
      transitionsExecuted: 1,
      resets: 0,
      invalidCommitWelcomes: 0,
    });
    expect([...dave.members].sort()).toEqual([TEST_IDS.alice, bot].sort());
    expect(standin.voiceClient(TEST_IDS.alice).groupUserIds().sort()).toEqual([TEST_IDS.alice, bot].sort());
    // The bot's group is alice's group: what it encrypts, she decrypts (and the reverse is checked by speak tests).
    expect(dave.keyPackagesRejected).toEqual([]);
  });

  test('bob joins while alice talks (epoch 2), then alice leaves (epoch 3): the bot decrypts alice through the change and bob after', async () => {
    const packets = encodeOpusPackets(sineWave(1.6, 300));
    const fromAlice = collectReceived(connection, TEST_IDS.alice);
    const talking = standin.speak(TEST_IDS.alice, packets);
    await new Promise((resolve) => setTimeout(resolve, 400));
    standin.joinVoice(TEST_IDS.bob, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitForDave(TEST_IDS.guild, { members: [bot, TEST_IDS.alice, TEST_IDS.bob] });
    expect(standin.dave(TEST_IDS.guild).epoch).toBe(2);
    const sent = await talking;
    const { packets: got, error } = await fromAlice;
    expect(error).toBeUndefined();
    expect(sent.e2eeFrames).toBe(packets.length);
    // Whatever arrived is exactly what alice said (nothing garbled); at most a frame or two fall in the switch.
    const received = audioOf(got);
    const original = hex(packets);
    expect(received.every((frame) => original.includes(frame))).toBe(true);
    expect(received.length).toBeGreaterThanOrEqual(packets.length - 2);

    standin.leaveVoice(TEST_IDS.alice, TEST_IDS.guild);
    await standin.waitForDave(TEST_IDS.guild, { members: [bot, TEST_IDS.bob] });
    expect(standin.dave(TEST_IDS.guild)).toMatchObject({ epoch: 3, resets: 0 });
    const bobPackets = encodeOpusPackets(sineWave(0.4, 500));
    const fromBob = collectReceived(connection, TEST_IDS.bob);
    await standin.speak(TEST_IDS.bob, bobPackets);
    expect(audioOf((await fromBob).packets)).toEqual(hex(bobPackets));
  });

  test("the bot's own audio is decrypted by a member (bob now); frames no member could read would be counted", async () => {
    const tone = encodeOpusPackets(sineWave(0.4, 440));
    await botPlays(standin, connection, tone);
    const audio = standin.botAudio(TEST_IDS.guild).filter((p) => !p.opus.equals(SILENCE_FRAME));
    expect(audio.map((p) => p.opus.toString('hex'))).toEqual(hex(tone));
    expect(audio.every((p) => p.e2ee)).toBe(true);
    const session = standin.voice.session(TEST_IDS.guild)!;
    expect(session.daveDecryptErrors).toEqual([]);
    expect(session.unencryptedFrames).toBe(0);
  });

  test('sole member reset: the last user leaves, the bot gets op 24 + op 21 and a new key package; a newcomer starts a new group', async () => {
    standin.leaveVoice(TEST_IDS.bob, TEST_IDS.guild);
    await standin.waitFor(
      () => standin.dave(TEST_IDS.guild).keyPackagesHeld.includes(bot),
      3000,
      "the bot's new key package",
    );
    expect(standin.dave(TEST_IDS.guild)).toMatchObject({
      established: false,
      epoch: 0,
      members: [],
      resets: 1,
      botInGroup: false,
    });
    // Alone, the bot has no group: it plays unencrypted (the stand-in keeps and counts such frames).
    const tone = encodeOpusPackets(sineWave(0.2, 440));
    await botPlays(standin, connection, tone);
    expect(
      standin
        .botAudio(TEST_IDS.guild)
        .filter((p) => !p.opus.equals(SILENCE_FRAME))
        .every((p) => !p.e2ee),
    ).toBe(true);
    expect(standin.voice.session(TEST_IDS.guild)!.unencryptedFrames).toBeGreaterThanOrEqual(tone.length);

    standin.joinVoice(TEST_IDS.alice, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitForDave(TEST_IDS.guild, { members: [bot, TEST_IDS.alice] });
    expect(standin.dave(TEST_IDS.guild)).toMatchObject({ epoch: 1, resets: 1 });
    const packets = encodeOpusPackets(sineWave(0.3, 350));
    const fromAlice = collectReceived(connection, TEST_IDS.alice);
    await standin.speak(TEST_IDS.alice, packets);
    expect(audioOf((await fromAlice).packets)).toEqual(hex(packets));
  });

  test('an invalid commit sent to the bot: it answers op 31, the gateway removes and re-adds it, and audio decrypts again', async () => {
    const before = standin.dave(TEST_IDS.guild);
    standin.voice.sendInvalidCommit(TEST_IDS.guild);
    await standin.waitFor(
      () => standin.dave(TEST_IDS.guild).invalidCommitWelcomes === before.invalidCommitWelcomes + 1,
      3000,
      'op 31 from the bot',
    );
    await standin.waitForDave(TEST_IDS.guild, { members: [bot, TEST_IDS.alice] });
    expect(standin.dave(TEST_IDS.guild).epoch).toBeGreaterThan(before.epoch);
    const packets = encodeOpusPackets(sineWave(0.3, 250));
    const fromAlice = collectReceived(connection, TEST_IDS.alice);
    await standin.speak(TEST_IDS.alice, packets);
    expect(audioOf((await fromAlice).packets)).toEqual(hex(packets));
  });

  test('a dropped socket while the group changes: the missed DAVE messages are replayed after the resume', async () => {
    const resumes = standin.voice.session(TEST_IDS.guild)!.resumes;
    standin.dropVoiceSocket(TEST_IDS.guild);
    // Bob joins while the bot has no socket: op 11 and the Add proposals wait in its outbox.
    standin.joinVoice(TEST_IDS.bob, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(() => standin.voice.session(TEST_IDS.guild)!.resumes === resumes + 1, 5000, 'voice resume');
    await standin.waitForDave(TEST_IDS.guild, { members: [bot, TEST_IDS.alice, TEST_IDS.bob] });
    const packets = encodeOpusPackets(sineWave(0.3, 450));
    const fromBob = collectReceived(connection, TEST_IDS.bob);
    await standin.speak(TEST_IDS.bob, packets);
    expect(audioOf((await fromBob).packets)).toEqual(hex(packets));
  });

  test('a new Identify after a dropped session (4006) gives the bot a fresh DAVE session, re-added to the group', async () => {
    const commitsBefore = standin.dave(TEST_IDS.guild).commitsAccepted;
    standin.dropVoiceSocket(TEST_IDS.guild, { code: 4006 });
    await standin.waitFor(
      () =>
        standin.voice.session(TEST_IDS.guild)?.identifies === 1 && standin.voice.session(TEST_IDS.guild)?.resumes === 0,
      5000,
      'a fresh voice session',
    );
    await entersState(connection, VoiceConnectionStatus.Ready, 5000);
    await standin.waitForDave(TEST_IDS.guild, { members: [bot, TEST_IDS.alice, TEST_IDS.bob] });
    expect(standin.dave(TEST_IDS.guild).commitsAccepted).toBeGreaterThan(commitsBefore);
    const packets = encodeOpusPackets(sineWave(0.3, 450));
    const fromAlice = collectReceived(connection, TEST_IDS.alice);
    await standin.speak(TEST_IDS.alice, packets);
    expect(audioOf((await fromAlice).packets)).toEqual(hex(packets));
  });
});

describe('users already in the channel when the bot joins', () => {
  let standin: Standin;
  let client: Client<true>;
  let connection: VoiceConnection | undefined;

  beforeAll(async () => {
    standin = await startStandin({
      logger: false,
      guilds: [
        {
          id: TEST_IDS.guild,
          name: 'Test Guild',
          channels: [{ id: TEST_IDS.voice, name: 'Lounge', type: 'voice' }],
          members: [
            { user: { id: TEST_IDS.alice, username: 'alice' }, inVoice: 'Lounge' },
            { user: { id: TEST_IDS.bob, username: 'bob' }, inVoice: TEST_IDS.voice },
          ],
        },
      ],
    });
    client = await loginClient(standin);
  });

  afterAll(async () => {
    connection?.destroy();
    await client?.destroy();
    await standin?.close();
  });

  test('alice and bob already form a group; alice speaks before the bot is in it (it gets ciphertext), then it is added and decrypts', async () => {
    await standin.waitForDave(TEST_IDS.guild, { members: [TEST_IDS.alice, TEST_IDS.bob], channel: TEST_IDS.voice });
    expect(standin.dave(TEST_IDS.guild, TEST_IDS.voice)).toMatchObject({ established: true, epoch: 1 });
    expect(client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(TEST_IDS.alice)?.channelId).toBe(
      TEST_IDS.voice,
    );
    // Slow clients: the bot's Add waits until they process it.
    const alice = standin.voiceClient(TEST_IDS.alice);
    const bob = standin.voiceClient(TEST_IDS.bob);
    alice.pause();
    bob.pause();
    const guild = client.guilds.cache.get(TEST_IDS.guild)!;
    connection = joinVoiceChannel({
      guildId: guild.id,
      channelId: TEST_IDS.voice,
      adapterCreator: guild.voiceAdapterCreator,
      selfDeaf: false,
    });
    await entersState(connection, VoiceConnectionStatus.Ready, 5000);
    await standin.waitForBotVoice(TEST_IDS.guild);
    const early = encodeOpusPackets(sineWave(0.3, 300));
    const beforeJoin = collectReceived(connection, TEST_IDS.alice);
    const sent = await standin.speak(TEST_IDS.alice, early);
    expect(sent.e2eeFrames).toBe(early.length);
    const { packets: raw } = await beforeJoin;
    // @discordjs/voice pushes frames it cannot decrypt yet as they are: DAVE ciphertext, not alice's Opus.
    const rawAudio = raw.filter((p) => !p.equals(SILENCE_FRAME));
    expect(rawAudio).toHaveLength(early.length);
    expect(rawAudio.every((p) => looksDaveEncrypted(p))).toBe(true);
    expect(hex(rawAudio).some((frame) => hex(early).includes(frame))).toBe(false);

    alice.resume();
    bob.resume();
    await standin.waitForDave(TEST_IDS.guild, { members: [TEST_IDS.alice, TEST_IDS.bob, standin.botUser.id] });
    expect(standin.dave(TEST_IDS.guild).epoch).toBe(2);
    const later = encodeOpusPackets(sineWave(0.3, 600));
    const afterJoin = collectReceived(connection, TEST_IDS.alice);
    await standin.speak(TEST_IDS.alice, later);
    expect(audioOf((await afterJoin).packets)).toEqual(hex(later));
  });
});

describe('a client that declines DAVE', () => {
  test('is closed with 4017 (and keeps retrying, as @discordjs/voice does on other codes than 4014)', async () => {
    const standin = await startStandin({
      logger: false,
      guilds: [
        {
          id: TEST_IDS.guild,
          name: 'G',
          channels: [{ id: TEST_IDS.voice, name: 'Lounge', type: 'voice' }],
          members: [],
        },
      ],
    });
    const client = await loginClient(standin);
    const guild = client.guilds.cache.get(TEST_IDS.guild)!;
    const connection = joinVoiceChannel({
      guildId: guild.id,
      channelId: TEST_IDS.voice,
      adapterCreator: guild.voiceAdapterCreator,
      daveEncryption: false,
    });
    try {
      await standin.waitFor(() => standin.voice.daveRefusals >= 1, 5000, 'a 4017 close');
      expect(standin.voice.session(TEST_IDS.guild)!.maxDaveProtocolVersion).toBe(0);
      expect(standin.voice.session(TEST_IDS.guild)!.ready).toBe(false);
      expect(connection.state.status).not.toBe(VoiceConnectionStatus.Ready);
    } finally {
      connection.destroy();
      await client.destroy();
      await standin.close();
    }
  });
});
