import { decodeAudio, pcmToAnalysis, sniffAudioFormat } from '../../../src/ml/audio/decode';
import { analyzeVoice } from '../../../src/ml/audio/features';
import { ascii, harmonicTone, rmsDb, writeWav } from './signals';
import { matching } from '../../helpers/matchers';

describe('decodeAudio dispatch and limits', () => {
  it('sniffs by magic bytes, not by name', () => {
    expect(sniffAudioFormat(ascii('OggS\0\x02'))).toBe('ogg');
    expect(sniffAudioFormat(ascii('RIFF\0\0\0\0WAVE'))).toBe('wav');
    expect(sniffAudioFormat(Uint8Array.from([0xff, 0xfb, 0x90, 0x64]))).toBe('mp3');
    expect(sniffAudioFormat(ascii('ID3\x03\0\0\0\0\0\0'))).toBe('mp3');
    expect(sniffAudioFormat(ascii('RIFF\0\0\0\0AVI '))).toBeNull();
    expect(sniffAudioFormat(ascii('fLaC\0\0\0\x22'))).toBeNull();
    expect(sniffAudioFormat(Uint8Array.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
  });

  it('empty input is `empty`', () => {
    expect(decodeAudio(new Uint8Array(0))).toMatchObject({ ok: false, code: 'empty' });
  });

  it('oversized input is `too_large` before any parsing', () => {
    const r = decodeAudio(new Uint8Array(2000), { maxBytes: 1000 });
    expect(r).toMatchObject({ ok: false, code: 'too_large', message: matching(/2000 bytes.*1000/) });
  });

  it('unknown formats are `unsupported_format`', () => {
    expect(decodeAudio(ascii('fLaC and more bytes'))).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(decodeAudio(ascii('hello, this is a text file'))).toMatchObject({ ok: false, code: 'unsupported_format' });
  });
});

describe('raw PCM input', () => {
  const tone48k = harmonicTone(220, 1, 48000, 0.25);

  it('resamples 48 kHz Discord PCM to 16 kHz', () => {
    const r = pcmToAnalysis({ samples: tone48k, sampleRate: 48000 });
    if (!r.ok) throw new Error(r.message);
    expect(r.value).toMatchObject({ sampleRate: 16000 });
    expect(r.value.samples.length).toBe(16000);
    expect(rmsDb(r.value.samples.subarray(1000, 15000))).toBeCloseTo(rmsDb(tone48k), 1);
  });

  it('gives the same features as the same audio in a WAV file', () => {
    const fromPcm = analyzeVoice({ samples: tone48k, sampleRate: 48000 });
    const fromWav = analyzeVoice(writeWav([tone48k], { rate: 48000, format: 'float32' }));
    if (!fromPcm.ok || !fromWav.ok) throw new Error('analysis failed');
    expect(fromPcm.value.stats.f0_median).toBeCloseTo(fromWav.value.stats.f0_median!, 6);
    expect(fromPcm.value.durationSec).toBe(fromWav.value.durationSec);
  });

  it('rejects empty, non-finite, implausible-rate and over-long PCM', () => {
    expect(pcmToAnalysis({ samples: new Float32Array(0), sampleRate: 48000 })).toMatchObject({
      ok: false,
      code: 'empty',
    });
    expect(pcmToAnalysis({ samples: Float32Array.of(0, NaN, 0), sampleRate: 48000 })).toMatchObject({
      ok: false,
      code: 'corrupt',
    });
    expect(pcmToAnalysis({ samples: tone48k, sampleRate: 0 })).toMatchObject({ ok: false, code: 'invalid' });
    expect(pcmToAnalysis({ samples: tone48k, sampleRate: 48000 }, { maxSeconds: 0.5 })).toMatchObject({
      ok: false,
      code: 'too_long',
    });
  });
});
