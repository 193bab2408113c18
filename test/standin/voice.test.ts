import { Readable } from 'node:stream';
import {
  AudioPlayerStatus,
  StreamType,
  type VoiceConnection,
  VoiceConnectionStatus,
  createAudioPlayer,
  createAudioResource,
  entersState,
} from '@discordjs/voice';
import type { Client } from 'discord.js';
import { SILENCE_FRAME, type Standin, activeSeconds, encodeOpusPackets, sineWave } from './index';
import { TEST_IDS, type VoiceFixture, startVoiceFixture, collectReceived } from './fixtures';

describe('@discordjs/voice against the stand-in voice server', () => {
  let fixture: VoiceFixture;
  let standin: Standin;
  let client: Client<true>;
  let connection: VoiceConnection;

  beforeAll(async () => {
    fixture = await startVoiceFixture();
    ({ standin, client, connection } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  test('the bot joined through op 4: voice state, server update, TLS identify, UDP discovery, session key, DAVE group with alice', async () => {
    await standin.waitForBotVoice(TEST_IDS.guild);
    expect(standin.botVoiceChannel(TEST_IDS.guild)).toBe(TEST_IDS.voice);
    const session = standin.voice.session(TEST_IDS.guild)!;
    expect(session.mode).toBe('aead_aes256_gcm_rtpsize');
    expect(session.daveProtocolVersion).toBe(1);
    expect(session.maxDaveProtocolVersion).toBe(1);
    const dave = standin.dave(TEST_IDS.guild);
    expect(dave).toMatchObject({
      protocolVersion: 1,
      established: true,
      epoch: 1,
      botInGroup: true,
      transitionPending: false,
      commitsAccepted: 1,
      transitionsExecuted: 1,
    });
    expect([...dave.members].sort()).toEqual([TEST_IDS.alice, standin.botUser.id].sort());
    expect(session.clientAddress?.ip).toBe('127.0.0.1');
    // discord.js sees alice in the voice channel.
    await standin.waitFor(
      () =>
        client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(TEST_IDS.alice)?.channelId === TEST_IDS.voice,
    );
  });

  test('a user speaks: the bot receives every packet, in order, decrypted, then silence frames', async () => {
    const packets = encodeOpusPackets(sineWave(1.0, 330));
    expect(packets).toHaveLength(50);
    const received = collectReceived(connection, TEST_IDS.alice);
    const sent = await standin.speak(TEST_IDS.alice, packets);
    const { packets: got, error } = await received;
    expect(error).toBeUndefined();
    expect(sent.packetsSent).toBe(50);
    const audio = got.filter((p) => !p.equals(SILENCE_FRAME));
    expect(audio).toHaveLength(50);
    expect(audio.map((p) => p.toString('hex'))).toEqual(packets.map((p) => p.toString('hex')));
    expect(got.length - audio.length).toBe(5);
    // Every audio frame went over the wire DAVE-encrypted by alice's own session.
    expect(sent.e2eeFrames).toBe(50);
    expect(sent.unencryptedAudioFrames).toBe(0);
  });

  test('the bot plays audio: the stand-in receives, decrypts and decodes it to the right length', async () => {
    standin.clearBotAudio(TEST_IDS.guild);
    const tone = encodeOpusPackets(sineWave(0.6, 440));
    const player = createAudioPlayer();
    connection.subscribe(player);
    player.play(createAudioResource(Readable.from(tone), { inputType: StreamType.Opus }));
    await entersState(player, AudioPlayerStatus.Playing, 2000);
    await entersState(player, AudioPlayerStatus.Idle, 5000);
    const audio = await standin.waitForBotAudio(TEST_IDS.guild, { minPackets: tone.length });
    expect(audio).toHaveLength(tone.length);
    expect(standin.voice.session(TEST_IDS.guild)!.decryptErrors).toEqual([]);
    // The bot encrypted every frame with DAVE and alice's session decrypted it.
    expect(audio.every((p) => p.e2ee)).toBe(true);
    expect(standin.voice.session(TEST_IDS.guild)!.daveDecryptErrors).toEqual([]);
    expect(standin.voice.session(TEST_IDS.guild)!.unencryptedFrames).toBe(0);
    expect(standin.botSpeaking(TEST_IDS.guild).some((s) => s.speaking === 1)).toBe(true);
    const pcm = standin.decodeBotAudio(TEST_IDS.guild);
    if (!pcm.ok) throw new Error(pcm.message);
    expect(pcm.value.length).toBe(tone.length * 960);
    // The tone is loud from its first to its last frame (the codec's first frame ramps in).
    expect(activeSeconds(pcm.value)).toBeGreaterThanOrEqual(0.56);
    expect(activeSeconds(pcm.value)).toBeLessThanOrEqual(0.6);
    // Sequence numbers increase by one per packet.
    const sequences = audio.map((p) => p.sequence);
    expect(sequences.slice(1).every((s, i) => s === (((sequences[i] as number) + 1) & 0xffff))).toBe(true);
  });

  test('a corrupt packet kills the receive stream with an error; resubscribing works', async () => {
    const first = collectReceived(connection, TEST_IDS.alice);
    standin.sendCorruptPacket(TEST_IDS.alice);
    const { error } = await first;
    expect(error?.message).toMatch(/authenticate|Unsupported state/i);
    const second = collectReceived(connection, TEST_IDS.alice);
    await standin.speak(TEST_IDS.alice, encodeOpusPackets(sineWave(0.2)));
    const { packets, error: secondError } = await second;
    expect(secondError).toBeUndefined();
    expect(packets.filter((p) => !p.equals(SILENCE_FRAME))).toHaveLength(10);
  });

  test('a corrupt packet in the middle of speech: packets before it arrive, the stream dies at it', async () => {
    const received = collectReceived(connection, TEST_IDS.alice);
    await standin.speak(TEST_IDS.alice, encodeOpusPackets(sineWave(0.4)), { corruptAt: [7] });
    const { packets, error } = await received;
    expect(error).toBeDefined();
    expect(packets).toHaveLength(7);
  });

  test('a dropped voice socket is resumed (op 7) and audio flows again', async () => {
    standin.dropVoiceSocket(TEST_IDS.guild);
    await standin.waitFor(() => standin.voice.session(TEST_IDS.guild)!.resumes === 1, 5000, 'voice resume');
    await entersState(connection, VoiceConnectionStatus.Ready, 2000);
    const received = collectReceived(connection, TEST_IDS.alice);
    await standin.speak(TEST_IDS.alice, encodeOpusPackets(sineWave(0.2)));
    expect((await received).packets.filter((p) => !p.equals(SILENCE_FRAME))).toHaveLength(10);
  });

  test('two people speak at once: packets are attributed per user', async () => {
    standin.joinVoice(TEST_IDS.bob, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(
      () => client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(TEST_IDS.bob)?.channelId === TEST_IDS.voice,
    );
    // Bob's frames decrypt only once the bot has him in its group (his first ones would go unencrypted).
    await standin.waitForDave(TEST_IDS.guild, { members: [standin.botUser.id, TEST_IDS.alice, TEST_IDS.bob] });
    const fromAlice = collectReceived(connection, TEST_IDS.alice);
    const fromBob = collectReceived(connection, TEST_IDS.bob);
    const alicePackets = encodeOpusPackets(sineWave(0.5, 200));
    const bobPackets = encodeOpusPackets(sineWave(0.3, 600));
    const results = await Promise.all([
      standin.speak(TEST_IDS.alice, alicePackets),
      standin.speak(TEST_IDS.bob, bobPackets),
    ]);
    expect(results[0].ssrc).not.toBe(results[1].ssrc);
    expect(results.map((r) => r.e2eeFrames)).toEqual([alicePackets.length, bobPackets.length]);
    const [a, b] = await Promise.all([fromAlice, fromBob]);
    expect(a.packets.filter((p) => !p.equals(SILENCE_FRAME)).map((p) => p.toString('hex'))).toEqual(
      alicePackets.map((p) => p.toString('hex')),
    );
    expect(b.packets.filter((p) => !p.equals(SILENCE_FRAME)).map((p) => p.toString('hex'))).toEqual(
      bobPackets.map((p) => p.toString('hex')),
    );
  });

  test('speaking requires the user and the bot in the same voice channel', () => {
    expect(() => standin.speak('100000000000000999', [])).toThrow(/no user/);
    standin.leaveVoice(TEST_IDS.bob, TEST_IDS.guild);
    expect(() => standin.speak(TEST_IDS.bob, [])).toThrow(/not in a voice channel/);
  });

  test('a moderator disconnects the bot: the connection is told (4014) and the bot can rejoin', async () => {
    standin.disconnectBotFromVoice(TEST_IDS.guild);
    await entersState(connection, VoiceConnectionStatus.Disconnected, 3000);
    expect(standin.botVoiceChannel(TEST_IDS.guild)).toBeUndefined();
    connection.rejoin();
    await entersState(connection, VoiceConnectionStatus.Ready, 5000);
    await standin.waitForBotVoice(TEST_IDS.guild);
    expect(standin.botVoiceChannel(TEST_IDS.guild)).toBe(TEST_IDS.voice);
  });

  test('the bot leaves: VOICE_STATE_UPDATE with no channel, and the stand-in forgets its voice state', async () => {
    connection.destroy();
    await standin.waitFor(() => standin.botVoiceChannel(TEST_IDS.guild) === undefined, 3000, 'the bot to leave voice');
    expect(standin.voice.session(TEST_IDS.guild)?.ready).toBe(false);
  });
});
