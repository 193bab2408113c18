import { type VoiceConnection } from '@discordjs/voice';
import { SILENCE_FRAME, type Standin, encodeOpusPackets, sineWave } from './index';
import { TEST_IDS, type VoiceFixture, startVoiceFixture, collectReceived } from './fixtures';
import { type DecryptedRtp, decryptFromBot, looksDaveEncrypted } from './voice/rtp';
import { planSpeech } from './voice/speech';
import type { RtpToBot } from './voice/VoiceServer';

const hex = (packets: Buffer[]): string[] => packets.map((p) => p.toString('hex'));

/** Records every RTP packet the stand-in sends the bot while `work` runs, with its arrival-side decryption and send time. */
async function capture(
  standin: Standin,
  work: () => Promise<unknown>,
): Promise<(RtpToBot & { at: number; open: DecryptedRtp })[]> {
  const session = standin.voice.session(TEST_IDS.guild)!;
  const seen: (RtpToBot & { at: number; open: DecryptedRtp })[] = [];
  const listener = (event: RtpToBot): void => {
    const open = decryptFromBot(event.packet, session.secretKey!, session.mode);
    if (open instanceof Error) throw open;
    seen.push({ ...event, at: Date.now(), open });
  };
  standin.voice.on('rtpToBot', listener);
  try {
    await work();
  } finally {
    standin.voice.off('rtpToBot', listener);
  }
  return seen;
}

describe('fault injection for the receive path (DAVE on)', () => {
  let fixture: VoiceFixture;
  let standin: Standin;
  let connection: VoiceConnection;

  beforeAll(async () => {
    fixture = await startVoiceFixture();
    ({ standin, connection } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  // The last datagrams of the previous test's speech may still be on their way: start when the bot has
  // marked everyone silent again (@discordjs/voice does so 100 ms after a user's last packet).
  beforeEach(() =>
    standin.waitFor(() => connection.receiver.speaking.users.size === 0, 3000, 'the bot to hear silence'),
  );

  test('daveCorruptAt: transport intact, DAVE ciphertext flipped; the bot drops exactly those frames and its stream lives', async () => {
    const packets = encodeOpusPackets(sineWave(0.4, 300));
    const received = collectReceived(connection, TEST_IDS.alice);
    const sent = await capture(standin, () => standin.speak(TEST_IDS.alice, packets, { daveCorruptAt: [3, 7] }));
    const frames = sent.filter((p) => p.kind === 'frame');
    expect(frames).toHaveLength(packets.length + 5);
    // Every packet passes transport decryption; the corrupted ones still look like DAVE frames.
    for (const index of [3, 7]) {
      expect(frames[index]!.open.opus.equals(frames[index]!.payload)).toBe(true);
      expect(looksDaveEncrypted(frames[index]!.open.opus)).toBe(true);
    }
    const { packets: got, error } = await received;
    expect(error).toBeUndefined();
    expect(hex(got.filter((p) => !p.equals(SILENCE_FRAME)))).toEqual(hex(packets.filter((_, i) => i !== 3 && i !== 7)));
  });

  test('rtpPadding: P bit and N padding bytes inside the encrypted payload (last byte = N); @discordjs/voice strips them', async () => {
    const packets = encodeOpusPackets(sineWave(0.2, 300));
    const received = collectReceived(connection, TEST_IDS.alice);
    const sent = await capture(standin, () =>
      standin.speak(TEST_IDS.alice, packets, { rtpPadding: { bytes: 17, frames: [0, 2, 4] } }),
    );
    sent.slice(0, 6).forEach((p, i) => {
      const padded = i % 2 === 0;
      expect(Boolean(p.packet[0]! & 0x20)).toBe(padded);
      expect(p.open.padding).toBe(padded ? 17 : 0);
      expect(p.open.opus.equals(p.payload)).toBe(true);
    });
    const { packets: got, error } = await received;
    expect(error).toBeUndefined();
    expect(hex(got.filter((p) => !p.equals(SILENCE_FRAME)))).toEqual(hex(packets));
  });

  test('csrcs: CC > 0 with the list in the unencrypted header (AAD); @discordjs/voice 0.19.2 assumes CC = 0 and its stream errors', async () => {
    const packets = encodeOpusPackets(sineWave(0.2, 300));
    const received = collectReceived(connection, TEST_IDS.alice);
    const sent = await capture(standin, () =>
      standin.speak(TEST_IDS.alice, packets, { csrcs: [0x11223344, 0x55667788] }),
    );
    for (const p of sent) {
      expect(p.packet[0]! & 0x0f).toBe(2);
      expect(p.packet.readUInt32BE(12)).toBe(0x11223344);
      expect(p.packet.readUInt32BE(16)).toBe(0x55667788);
      expect(p.packet.readUInt16BE(20)).toBe(0xbede);
      expect(p.open.csrcs).toEqual([0x11223344, 0x55667788]);
      expect(p.open.opus.equals(p.payload)).toBe(true);
    }
    const { packets: got, error } = await received;
    expect(got).toHaveLength(0);
    expect(error?.message).toMatch(/authenticate|Unsupported state/i);
  });

  test("pause 'quiet': the client keeps sending near-silent audio, DAVE-encrypted, every 20 ms; one unbroken stream at the bot", async () => {
    const packets = encodeOpusPackets(sineWave(0.2, 300));
    const received = collectReceived(connection, TEST_IDS.alice);
    const sent = await capture(standin, () =>
      standin.speak(TEST_IDS.alice, packets, { pauses: [{ afterFrame: 4, ms: 400, kind: 'quiet' }] }),
    );
    const pause = sent.filter((p) => p.e2ee).slice(5, 25);
    expect(sent.filter((p) => p.kind === 'frame')).toHaveLength(10 + 20 + 5);
    expect(pause.every((p) => !p.open.opus.equals(SILENCE_FRAME) && looksDaveEncrypted(p.open.opus))).toBe(true);
    const gaps = sent.slice(1).map((p, i) => p.at - sent[i]!.at);
    expect(Math.max(...gaps)).toBeLessThan(100);
    const sequences = sent.map((p) => p.open.sequence);
    expect(sequences.slice(1).every((s, i) => s === ((sequences[i]! + 1) & 0xffff))).toBe(true);
    const { packets: got } = await received;
    expect(got.filter((p) => !p.equals(SILENCE_FRAME))).toHaveLength(30);
  });

  test("pause 'stop': 5 silence frames, no packets for the pause, then audio resumes (sequence +1, timestamp jumps by the gap)", async () => {
    const packets = encodeOpusPackets(sineWave(0.2, 300));
    const sent = await capture(standin, () =>
      standin.speak(TEST_IDS.alice, packets, { pauses: [{ afterFrame: 4, ms: 500, kind: 'stop' }] }),
    );
    expect(sent).toHaveLength(10 + 5 + 5);
    expect(sent.slice(5, 10).every((p) => p.open.opus.equals(SILENCE_FRAME) && !p.e2ee)).toBe(true);
    const [lastSilence, resumed] = [sent[9]!, sent[10]!];
    expect(resumed.at - lastSilence.at).toBeGreaterThanOrEqual(500);
    expect(resumed.open.sequence).toBe((lastSilence.open.sequence + 1) & 0xffff);
    expect((resumed.open.timestamp - lastSilence.open.timestamp) >>> 0).toBe(960 + 500 * 48);
    expect(resumed.e2ee).toBe(true);
  });

  test('padding-only burst inside speech: 40 packets, P bit, empty payload, same SSRC, paced 20 ms; the bot counts them as DAVE failures, sends op 31 and is re-added', async () => {
    const invalidBefore = standin.dave(TEST_IDS.guild).invalidCommitWelcomes;
    const packets = encodeOpusPackets(sineWave(0.2, 300));
    const received = collectReceived(connection, TEST_IDS.alice, 2000);
    const sent = await capture(standin, () =>
      standin.speak(TEST_IDS.alice, packets, { paddingBursts: [{ afterFrame: 4, count: 40, bytes: 200 }] }),
    );
    const kinds = sent.map((p) => p.kind);
    expect(kinds.slice(0, 5)).toEqual(Array(5).fill('frame'));
    expect(kinds.slice(5, 45)).toEqual(Array(40).fill('padding'));
    const burst = sent.slice(5, 45);
    for (const p of burst) {
      expect(p.packet[0]! & 0x20).toBe(0x20);
      expect(p.open.opus).toHaveLength(0);
      expect(p.open.padding).toBe(200);
      expect(p.open.ssrc).toBe(sent[0]!.open.ssrc);
      expect(p.open.timestamp).toBe(sent[4]!.open.timestamp);
    }
    const paced = burst.slice(1).map((p, i) => p.at - burst[i]!.at);
    expect(paced.reduce((a, b) => a + b, 0) / paced.length).toBeGreaterThanOrEqual(18);
    // 40 consecutive undecryptable frames exceed @discordjs/voice's tolerance of 36: it flags op 31 and resets.
    await standin.waitFor(
      () => standin.dave(TEST_IDS.guild).invalidCommitWelcomes === invalidBefore + 1,
      3000,
      'op 31 from the bot',
    );
    await standin.waitForDave(TEST_IDS.guild, { members: [standin.botUser.id, TEST_IDS.alice] });
    const { packets: got, error } = await received;
    expect(error).toBeUndefined();
    // The five frames before the burst arrived.
    expect(hex(got.slice(0, 5))).toEqual(hex(packets.slice(0, 5)));
  });

  test('sendPaddingPackets on its own: count, size and pacing as asked', async () => {
    const sent = await capture(standin, () =>
      standin.sendPaddingPackets(TEST_IDS.alice, { count: 5, bytes: 32, intervalMs: 10 }),
    );
    expect(sent.map((p) => [p.kind, p.open.padding, p.open.opus.length])).toEqual(Array(5).fill(['padding', 32, 0]));
    await standin.waitForDave(TEST_IDS.guild, { members: [standin.botUser.id, TEST_IDS.alice] });
  });
});

describe('speech plan', () => {
  test('frames, pauses and bursts land at the right times and indexes', () => {
    const frames = [Buffer.from([1]), Buffer.from([2]), Buffer.from([3])];
    const steps = planSpeech(frames, {
      silenceFrames: 2,
      pauses: [{ afterFrame: 0, ms: 100, kind: 'stop' }],
      paddingBursts: [{ afterFrame: 1, count: 2, intervalMs: 10 }],
    });
    expect(
      steps.map((s) => (s.kind === 'frame' ? `${s.role}:${s.index ?? '-'}@${s.at}+${s.timestampGap}` : `pad@${s.at}`)),
    ).toEqual([
      'audio:0@0+0',
      ...[20, 40, 60, 80, 100].map((at) => `pause:-@${at}+0`),
      'audio:1@220+4800',
      'pad@240',
      'pad@250',
      'audio:2@260+0',
      'silence:3@280+0',
      'silence:4@300+0',
    ]);
  });
});
