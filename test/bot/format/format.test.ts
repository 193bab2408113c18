import sharp from 'sharp';
import { formatProgress, type FlowProgress } from '../../../src/bot/format/progress';
import { formatProfile } from '../../../src/bot/format/profile';
import { formatReading, formatSignal } from '../../../src/bot/format/reading';
import { confusionPng, confusionSvg, formatReport } from '../../../src/bot/format/report';
import { assertChannelAllowed, voiceAccess } from '../../../src/bot/guards';
import type { Prediction } from '../../../src/ml/types';
import { containing } from '../../helpers/matchers';

const reading = (emotion: string, confidence: number, uncertain = false) => ({
  emotion,
  confidence,
  uncertain,
  probabilities: { [emotion]: confidence },
});

describe('formatReading', () => {
  it('shows each signal with confidence and the fused emotion', () => {
    const p: Prediction = {
      face: reading('happy', 0.82),
      voice: reading('sad', 0.41, true),
      fused: reading('happy', 0.7),
      generic: false,
      weights: { face: 0.6, voice: 0.4 },
    };
    expect(formatReading(p)).toBe(
      '**Face:** happy 😊 (82%)\n**Voice:** not sure (maybe sad, 41%)\n**Overall:** happy 😊 (70%)',
    );
  });
  it('says "not sure" for an uncertain fusion and flags the generic model', () => {
    const p: Prediction = {
      face: reading('neutral', 0.4, true),
      fused: reading('neutral', 0.4, true),
      generic: true,
      weights: { face: 1 },
    };
    const text = formatReading(p, { noVoiceReason: '(No speech in that clip.)' });
    expect(text).toContain("**Overall:** I'm not sure how you feel (maybe neutral, 40%)");
    expect(text).toContain('**Voice:** — (No speech in that clip.)');
    expect(text).toContain('Not calibrated yet');
    // Calibrated, but cross-validation kept the general face model: say so, without "not calibrated".
    const kept = formatReading(p, { calibrated: true });
    expect(kept).not.toContain('Not calibrated');
    expect(kept).toContain('did better than a personal one');
  });
  it('handles no reading at all', () => {
    expect(formatReading(null, { noFaceReason: '(No face found.)' })).toBe(
      '**How you came across:** nothing to read from ((No face found.)), so I answered neutrally.',
    );
  });
  it('labels any emotion name', () => {
    expect(formatSignal(reading('bored', 0.5))).toBe('bored (50%)');
  });
});

describe('formatProgress', () => {
  const p: FlowProgress = {
    emotions: ['happy', 'neutral', 'sad'],
    emotion: 'neutral',
    index: 1,
    target: 3,
    counts: { happy: { face: 3, voice: 3 }, neutral: { face: 1, voice: 0 }, sad: { face: 0, voice: 0 } },
    skipped: [],
    sentence: 'Kids are talking by the door.',
  };
  it('shows every emotion with counts and what to do now', () => {
    expect(formatProgress(p, { route: 'channel' }).split('\n')).toEqual([
      '**Calibration**',
      '✓ **happy**: photos ●●● 3/3 · clips ●●● 3/3',
      '▶ **neutral**: photos ●○○ 1/3 · clips ○○○ 0/3',
      '· **sad**: photos ○○○ 0/3 · clips ○○○ 0/3',
      '',
      'Now: **neutral**, in your everyday neutral voice and face.',
      '📷 Send selfies in this channel (several at once is fine).',
      '🎙️ Say in the voice channel: “Kids are talking by the door.” (I stop recording when you pause).',
    ]);
  });
  it('asks for voice messages when not in a channel and hides skipped signals', () => {
    const text = formatProgress({ ...p, skipped: ['face'] }, { route: 'messages', note: 'Voice is off here.' });
    expect(text).toContain('Send a voice message');
    expect(text).not.toContain('photos');
    expect(text).toContain('_Voice is off here._');
  });
});

describe('report', () => {
  const report = {
    face: { accuracy: 0.8, n: 15 },
    voice: null,
    fused: { accuracy: 0.8667, n: 15 },
    confusion: {
      labels: ['happy', 'neutral', 'sad'],
      counts: [
        [5, 0, 0],
        [0, 4, 1],
        [1, 0, 4],
      ],
    },
    counts: {},
  };
  it('states per-signal and fused accuracy against chance', () => {
    const text = formatReport(report);
    expect(text).toContain('• Face: 80% (15 held-out checks)');
    expect(text).toContain('• Voice: not trained (not enough samples)');
    expect(text).toContain('• Both together: 87% (15 held-out checks)');
    expect(text).toContain('about 33%');
    expect(text).toContain('Calibration done!');
    expect(text).not.toContain('near chance');
  });
  it('says a near-chance signal is near chance and offers to add samples instead of "done"', () => {
    const text = formatReport({ ...report, voice: { accuracy: 0.33, n: 6, nearChance: true } });
    expect(text).not.toContain('Calibration done!');
    expect(text).toContain('voice reading is near chance');
    expect(text).toContain('• Voice: 33% (6 held-out checks) — **near chance**');
    expect(text).toContain('add a few more voice clips');
  });
  it('says how many repeated photos were counted once', () => {
    const text = formatReport({ ...report, face: { accuracy: 0.8, n: 15, samples: 30 } });
    expect(text).toContain('• Face: 80% (15 held-out checks; 15 repeated photos counted once)');
  });
  it('renders the confusion matrix as a PNG of the expected size, escaping labels', async () => {
    expect(
      confusionSvg({
        labels: ['<b>', 'x'],
        counts: [
          [1, 0],
          [0, 1],
        ],
      }),
    ).toContain('&lt;b&gt;');
    const png = await confusionPng(report.confusion);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([130 + 3 * 90 + 20, 110 + 3 * 90 + 30]);
  });
});

describe('formatProfile', () => {
  it('explains an empty profile', () => {
    expect(formatProfile(null)).toContain('I hold nothing about you');
  });
  it('lists state, samples, consent and stored kinds', () => {
    const text = formatProfile({
      personId: 'u',
      createdAt: '2026-01-02T10:00:00.000Z',
      consent: {
        personId: 'u',
        textVersion: 'v',
        scope: ['face', 'voice'],
        grantedAt: '2026-01-02T10:00:00.000Z',
        revokedAt: null,
      },
      settings: { speakReplies: true, showConfidence: false },
      samples: { happy: { face: 5, voice: 4 } },
      totalSamples: 9,
      samplesWithRawMedia: 0,
      model: null,
      dataKinds: ['consent', 'face_features', 'voice_features'],
    });
    expect(text).toContain('**Not calibrated** yet');
    expect(text).toContain('• happy: 5 photos, 4 clips');
    expect(text).toContain('**Consent:** given 2026-01-02 for face and voice.');
    expect(text).toContain('your consent record; measurements from your selfies');
    expect(text).toContain('• 0 of them from your corrections');
  });
  it('counts the samples that came from corrections under /ask answers', () => {
    const text = formatProfile(
      {
        personId: 'u',
        createdAt: '2026-01-02T10:00:00.000Z',
        consent: null,
        settings: { speakReplies: true, showConfidence: false },
        samples: { sad: { face: 3, voice: 3 } },
        totalSamples: 6,
        samplesWithRawMedia: 0,
        model: null,
        dataKinds: ['face_features', 'voice_features'],
      },
      null,
      2,
    );
    expect(text).toContain('• sad: 3 photos, 3 clips\n• 2 of them from your corrections');
  });
});

describe('guards', () => {
  it('allows any channel when no list is set, else only listed ones', () => {
    expect(() => assertChannelAllowed({ voiceEnabled: true, allowedChannelIds: [] }, 'c1')).not.toThrow();
    expect(() => assertChannelAllowed({ voiceEnabled: true, allowedChannelIds: ['c2'] }, 'c2')).not.toThrow();
    expect(() => assertChannelAllowed({ voiceEnabled: true, allowedChannelIds: ['c2'] }, 'c1')).toThrow(
      'limited Attune to <#c2>',
    );
  });
  it('voice needs the feature on and an allowed channel', () => {
    expect(voiceAccess({ voiceEnabled: true, allowedChannelIds: [] }, null)).toEqual({ ok: false, reason: null });
    expect(voiceAccess({ voiceEnabled: false, allowedChannelIds: [] }, 'v1')).toMatchObject({
      ok: false,
      reason: containing('turned off'),
    });
    expect(voiceAccess({ voiceEnabled: true, allowedChannelIds: ['v2'] }, 'v1')).toMatchObject({ ok: false });
    expect(voiceAccess({ voiceEnabled: true, allowedChannelIds: ['v1'] }, 'v1')).toEqual({ ok: true, channelId: 'v1' });
  });
});
