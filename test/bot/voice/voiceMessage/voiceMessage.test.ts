import { VoiceMessageEncoder, toVoiceMessage, waveform } from '../../../../src/bot/voice/voiceMessage';
import { oggPageCrc } from '../../../../src/bot/voice/voiceMessage/oggOpus';
import { decodeAudio } from '../../../../src/ml/audio';

/** A 1 s, 440 Hz tone at 24 kHz whose second half is silent: a known signal with a known envelope. */
function toneThenSilence(): Int16Array {
  const rate = 24000;
  const out = new Int16Array(rate);
  for (let i = 0; i < rate / 2; i++) out[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  return out;
}

interface Page {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  crcOk: boolean;
  packets: Uint8Array[];
}

/** An independent Ogg page reader for checking the writer. */
function readPages(bytes: Uint8Array): Page[] {
  const pages: Page[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at < bytes.length) {
    expect(String.fromCharCode(...bytes.subarray(at, at + 4))).toBe('OggS');
    const segments = bytes[at + 26]!;
    const lacing = bytes.subarray(at + 27, at + 27 + segments);
    const bodyLength = lacing.reduce((n, v) => n + v, 0);
    const end = at + 27 + segments + bodyLength;
    const page = Uint8Array.from(bytes.subarray(at, end));
    const storedCrc = view.getUint32(at + 22, true);
    page.fill(0, 22, 26);
    const packets: Uint8Array[] = [];
    let current = 0;
    let start = at + 27 + segments;
    for (const l of lacing) {
      current += l;
      if (l < 255) {
        packets.push(bytes.subarray(start, start + current));
        start += current;
        current = 0;
      }
    }
    pages.push({
      flags: bytes[at + 5]!,
      granule: view.getBigInt64(at + 6, true),
      serial: view.getUint32(at + 14, true),
      sequence: view.getUint32(at + 18, true),
      crcOk: oggPageCrc(page) === storedCrc,
      packets,
    });
    at = end;
  }
  return pages;
}

describe('toVoiceMessage (Ogg Opus for Discord voice messages)', () => {
  it('writes OpusHead, OpusTags and audio pages with valid CRCs and granule positions', async () => {
    const vm = await toVoiceMessage({ samples: toneThenSilence(), sampleRate: 24000 });
    const pages = readPages(vm.ogg);
    expect(pages.every((p) => p.crcOk)).toBe(true);
    expect(pages.map((p) => p.sequence)).toEqual(pages.map((_, i) => i));
    expect(new Set(pages.map((p) => p.serial)).size).toBe(1);
    // Header pages: BOS on the first, each holding exactly its header packet, granule 0.
    expect(pages[0]!.flags).toBe(0x02);
    const head = pages[0]!.packets[0]!;
    expect(new TextDecoder().decode(head.subarray(0, 8))).toBe('OpusHead');
    expect(head[8]).toBe(1); // version
    expect(head[9]).toBe(1); // mono
    expect(head[10]! | (head[11]! << 8)).toBe(312); // pre-skip
    expect(new DataView(head.buffer, head.byteOffset).getUint32(12, true)).toBe(48000);
    expect(new TextDecoder().decode(pages[1]!.packets[0]!.subarray(0, 8))).toBe('OpusTags');
    expect(pages[0]!.granule).toBe(0n);
    expect(pages[1]!.granule).toBe(0n);
    // 1 s at 48 kHz plus the pre-skip, in 20 ms packets: 51 packets, two audio pages (50 + 1).
    const audio = pages.slice(2);
    expect(audio.map((p) => p.packets.length)).toEqual([50, 1]);
    expect(audio[0]!.granule).toBe(48000n);
    expect(audio[1]!.granule).toBe(312n + 48000n);
    expect(audio[1]!.flags).toBe(0x04); // EOS
    expect(vm.durationSecs).toBe(1);
  });

  it("decodes back to the same duration with the other engineers' decoder", async () => {
    const vm = await toVoiceMessage({ samples: toneThenSilence(), sampleRate: 24000 });
    const decoded = decodeAudio(vm.ogg);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.value.samples.length / decoded.value.sampleRate).toBeCloseTo(1, 2);
  });

  it('draws a waveform of ten bars a second, loud then silent, at most 256 bytes', async () => {
    const vm = await toVoiceMessage({ samples: toneThenSilence(), sampleRate: 24000 });
    const bars = Buffer.from(vm.waveformBase64, 'base64');
    expect(bars.length).toBe(10);
    expect([...bars.subarray(0, 5)].every((b) => b > 240)).toBe(true);
    expect([...bars.subarray(5)].every((b) => b === 0)).toBe(true);
    const long = waveform(new Int16Array(48000 * 120).fill(1000), 48000);
    expect(long.length).toBe(256);
    expect(waveform(new Int16Array(3), 48000).length).toBe(1);
  });

  it('refuses empty audio', async () => {
    await expect(toVoiceMessage({ samples: new Int16Array(0), sampleRate: 22050 })).rejects.toThrow(RangeError);
  });
});

describe('VoiceMessageEncoder (worker thread)', () => {
  const encoder = new VoiceMessageEncoder();
  afterAll(() => encoder.close());

  test('makes byte for byte the voice message toVoiceMessage makes, in another thread, several at once', async () => {
    const pcm = { samples: toneThenSilence(), sampleRate: 24000 };
    const expected = await toVoiceMessage(pcm);
    const results = await Promise.all([1, 2, 3].map(() => encoder.encode(pcm)));
    for (const got of results) {
      expect(Buffer.from(got.ogg).equals(Buffer.from(expected.ogg))).toBe(true);
      expect(got.durationSecs).toBe(expected.durationSecs);
      expect(got.waveformBase64).toBe(expected.waveformBase64);
    }
    // The caller's PCM is untouched (a copy is transferred).
    expect(pcm.samples.length).toBe(24000);
  });

  test('empty audio is refused, and the encoder keeps working after', async () => {
    await expect(encoder.encode({ samples: new Int16Array(0), sampleRate: 24000 })).rejects.toThrow(RangeError);
    await expect(encoder.encode({ samples: toneThenSilence(), sampleRate: 24000 })).resolves.toMatchObject({
      durationSecs: 1,
    });
  });

  test('a closed encoder refuses work', async () => {
    const closed = new VoiceMessageEncoder();
    await closed.close();
    await expect(closed.encode({ samples: toneThenSilence(), sampleRate: 24000 })).rejects.toThrow('closed');
  });
});
