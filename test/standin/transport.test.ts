import { Readable } from 'node:stream';
import {
  AudioPlayerStatus,
  StreamType,
  type VoiceConnection,
  createAudioPlayer,
  createAudioResource,
  entersState,
} from '@discordjs/voice';
import { WebSocket } from 'ws';
import { SILENCE_FRAME, type Standin, encodeOpusPackets, sineWave } from './index';
import { TEST_IDS, type VoiceFixture, startTestStandin, startVoiceFixture, collectReceived } from './fixtures';
import { AES_GCM_MODE, XCHACHA_MODE, decryptFromBot } from './voice/rtp';
import type { RtpToBot } from './voice/VoiceServer';
import { type TsxChild, runTsx, stopChild } from './childProcess';

const hex = (packets: Buffer[]): string[] =>
  packets.filter((p) => !p.equals(SILENCE_FRAME)).map((p) => p.toString('hex'));

async function botPlays(standin: Standin, connection: VoiceConnection, packets: Buffer[]): Promise<void> {
  standin.clearBotAudio(TEST_IDS.guild);
  const player = createAudioPlayer();
  connection.subscribe(player);
  player.play(createAudioResource(Readable.from(packets), { inputType: StreamType.Opus }));
  await entersState(player, AudioPlayerStatus.Playing, 2000);
  await entersState(player, AudioPlayerStatus.Idle, 5000);
  await standin.waitForBotAudio(TEST_IDS.guild, { minPackets: packets.length, quietMs: 100 });
}

describe('transport only (voice: { dave: false }): DAVE passthrough', () => {
  let fixture: VoiceFixture;

  beforeAll(async () => {
    fixture = await startVoiceFixture({ voice: { dave: false } });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  test('SessionDescription says protocol 0, no DAVE op reaches the bot, and audio flows plain both ways', async () => {
    const { standin, connection } = fixture;
    const session = standin.voice.session(TEST_IDS.guild)!;
    expect(session.daveProtocolVersion).toBe(0);
    expect(standin.dave(TEST_IDS.guild)).toMatchObject({ protocolVersion: 0, established: false, botInGroup: false });
    expect(session.outbox.every((m) => typeof m.data === 'string')).toBe(true);
    expect(session.outbox.map((m) => (JSON.parse(String(m.data)) as { op: number }).op).some((op) => op >= 21)).toBe(
      false,
    );

    const packets = encodeOpusPackets(sineWave(0.3, 300));
    const received = collectReceived(connection, TEST_IDS.alice);
    const sent = await standin.speak(TEST_IDS.alice, packets);
    expect(sent).toMatchObject({ e2eeFrames: 0, unencryptedAudioFrames: 0 });
    expect(hex((await received).packets)).toEqual(hex(packets));

    const tone = encodeOpusPackets(sineWave(0.2, 440));
    await botPlays(standin, connection, tone);
    const audio = standin.botAudio(TEST_IDS.guild).filter((p) => !p.opus.equals(SILENCE_FRAME));
    expect(hex(audio.map((p) => p.opus))).toEqual(hex(tone));
    expect(audio.some((p) => p.e2ee)).toBe(false);
    expect(session.unencryptedFrames).toBe(0);
  });
});

describe('aead_xchacha20_poly1305_rtpsize offered first (bot in its own process)', () => {
  let standin: Standin | undefined;
  let bot: TsxChild | undefined;

  afterAll(async () => {
    await stopChild(bot?.child);
    await standin?.close();
  });

  test('the bot picks it; speech reaches the bot and its playback reaches the stand-in, DAVE inside, both ways', async () => {
    standin = await startTestStandin({ voice: { modes: [XCHACHA_MODE, AES_GCM_MODE] } });
    standin.joinVoice(TEST_IDS.alice, TEST_IDS.guild, TEST_IDS.voice);
    bot = runTsx('childEchoBot.fixture.ts', {
      ...standin.env(),
      STANDIN_VOICE_CHANNEL: TEST_IDS.voice,
      STANDIN_LISTEN_TO: TEST_IDS.alice,
    });
    expect(await bot.next((line) => line['event'] === 'voiceReady' || line['event'] === 'voiceFailed')).toEqual({
      event: 'voiceReady',
      mode: XCHACHA_MODE,
    });
    await standin.waitForDave(TEST_IDS.guild, { members: [standin.botUser.id, TEST_IDS.alice] });
    const session = standin.voice.session(TEST_IDS.guild)!;
    expect(session.mode).toBe(XCHACHA_MODE);

    const packets = encodeOpusPackets(sineWave(0.3, 300));
    const wire: RtpToBot[] = [];
    const listen = (event: RtpToBot): number => wire.push(event);
    standin.voice.on('rtpToBot', listen);
    const sent = await standin.speak(TEST_IDS.alice, packets);
    standin.voice.off('rtpToBot', listen);
    expect(sent.e2eeFrames).toBe(packets.length);
    // On the wire: XChaCha20-Poly1305 opens it, AES-256-GCM with the same key does not.
    expect(decryptFromBot(wire[0]!.packet, session.secretKey!, XCHACHA_MODE)).toMatchObject({ opus: wire[0]!.payload });
    expect(decryptFromBot(wire[0]!.packet, session.secretKey!, AES_GCM_MODE)).toBeInstanceOf(Error);
    const heard = await bot.next((line) => line['event'] === 'heard' && (line['packets'] as string[]).length > 0);
    expect(heard['error']).toBeUndefined();
    expect((heard['packets'] as string[]).filter((p) => p !== 'f8fffe')).toEqual(hex(packets));

    // The bot echoes it: XChaCha20 transport, DAVE frames alice's session decrypts.
    await bot.next((line) => line['event'] === 'echoed');
    const audio = await standin.waitForBotAudio(TEST_IDS.guild, { minPackets: packets.length, quietMs: 100 });
    expect(hex(audio.map((p) => p.opus))).toEqual(hex(packets));
    expect(audio.every((p) => p.e2ee)).toBe(true);
    expect(session.decryptErrors).toEqual([]);
    expect(session.daveDecryptErrors).toEqual([]);
  });
});

describe('the voice WebSocket, byte by byte (a raw client)', () => {
  let standin: Standin;

  beforeAll(async () => {
    standin = await startTestStandin();
  });

  afterAll(async () => {
    await standin?.close();
  });

  /** Opens the voice socket and identifies as the bot with credentials the stand-in was told to expect. */
  function rawClient(identify: Record<string, unknown>): {
    socket: WebSocket;
    messages: (Buffer | Record<string, unknown>)[];
    closed: Promise<number>;
  } {
    const token = `t${Math.random()}`;
    standin.voice.expect(TEST_IDS.guild, standin.botUser.id, TEST_IDS.voice, 'session-1', token);
    const socket = new WebSocket(`wss://${standin.voiceEndpoint}?v=8`);
    const messages: (Buffer | Record<string, unknown>)[] = [];
    socket.on('message', (data: Buffer, isBinary) =>
      messages.push(isBinary ? data : (JSON.parse(data.toString()) as Record<string, unknown>)),
    );
    socket.on('open', () =>
      socket.send(
        JSON.stringify({
          op: 0,
          d: { server_id: TEST_IDS.guild, user_id: standin.botUser.id, session_id: 'session-1', token, ...identify },
        }),
      ),
    );
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    return { socket, messages, closed };
  }

  test('Identify without max_dave_protocol_version: closed with 4017', async () => {
    const { closed } = rawClient({});
    expect(await closed).toBe(4017);
  });

  test('an encryption mode that was not offered: closed with 4016', async () => {
    const { socket, messages, closed } = rawClient({ max_dave_protocol_version: 1 });
    await standin.waitFor(() => messages.some((m) => !Buffer.isBuffer(m) && m['op'] === 2), 3000, 'op 2 Ready');
    const ready = messages.find((m) => !Buffer.isBuffer(m) && m['op'] === 2) as Record<string, Record<string, unknown>>;
    expect(ready['d']!['modes']).toEqual([AES_GCM_MODE, XCHACHA_MODE]);
    socket.send(
      JSON.stringify({
        op: 1,
        d: { protocol: 'udp', data: { address: '127.0.0.1', port: 9, mode: 'xsalsa20_poly1305_lite' } },
      }),
    );
    expect(await closed).toBe(4016);
  });

  test('after SessionDescription (dave_protocol_version 1) comes op 25 as [u16 seq][u8 25][ExternalSender], seq continuing the JSON ones', async () => {
    const { socket, messages } = rawClient({ max_dave_protocol_version: 1 });
    await standin.waitFor(() => messages.some((m) => !Buffer.isBuffer(m) && m['op'] === 2), 3000, 'op 2 Ready');
    socket.send(
      JSON.stringify({ op: 1, d: { protocol: 'udp', data: { address: '127.0.0.1', port: 9, mode: AES_GCM_MODE } } }),
    );
    await standin.waitFor(() => messages.some((m) => Buffer.isBuffer(m)), 3000, 'a binary frame');
    const description = messages.find((m) => !Buffer.isBuffer(m) && m['op'] === 4) as Record<
      string,
      Record<string, unknown>
    >;
    expect(description['d']).toMatchObject({ mode: AES_GCM_MODE, dave_protocol_version: 1 });
    expect(description['d']!['secret_key']).toHaveLength(32);
    const binary = messages.find((m): m is Buffer => Buffer.isBuffer(m))!;
    const lastJsonSeq = Math.max(
      ...messages.filter((m) => !Buffer.isBuffer(m)).map((m) => Number((m as Record<string, unknown>)['seq'] ?? 0)),
    );
    expect(binary.readUInt16BE(0)).toBe(lastJsonSeq + 1);
    expect(binary[2]).toBe(25);
    // SignaturePublicKey<V>: 65 needs the 2-byte varint (0x40 | 0, 65), then the uncompressed point.
    expect(binary.subarray(3, 6).toString('hex')).toBe('404104');
    socket.close();
  });
});
