import type { Emotion, Signal } from '../../ml/types';

/** A snapshot of a calibration for the progress message (the calibration flow draws it). */
export interface FlowProgress {
  emotions: Emotion[];
  /** Emotion being collected now (null once everything is collected). */
  emotion: Emotion | null;
  index: number;
  target: number;
  /** Samples stored per emotion and signal (all of this person's, so a resumed flow counts old ones). */
  counts: Record<Emotion, { face: number; voice: number }>;
  skipped: Signal[];
  /** Sentence to read aloud for the next clip. */
  sentence: string | null;
}

/** How the person can hand in voice clips right now ('joining': Attune is joining their voice channel). */
export type VoiceRoute = 'channel' | 'joining' | 'messages';

/** How to act an emotion, in a few words a person can follow. */
const DIRECTIONS: Record<string, string> = {
  happy: 'sounding and looking happy (smile!)',
  neutral: 'in your everyday neutral voice and face',
  sad: 'sounding and looking sad',
  angry: 'sounding and looking angry',
  surprised: 'sounding and looking surprised',
  fearful: 'sounding and looking afraid',
};

/** The direction for an emotion (any label works; unknown ones get a plain wording). */
function directionFor(emotion: Emotion): string {
  return DIRECTIONS[emotion] ?? `sounding and looking ${emotion}`;
}

function bar(n: number, of: number): string {
  const done = Math.min(n, of);
  return `${'●'.repeat(done)}${'○'.repeat(Math.max(0, of - done))} ${done}/${of}`;
}

/** The calibration progress message, edited in place as samples arrive. */
export function formatProgress(
  p: FlowProgress,
  voice: { route: VoiceRoute; note?: string; hearing?: boolean },
): string {
  const lines: string[] = ['**Calibration**'];
  for (const [i, emotion] of p.emotions.entries()) {
    const c = p.counts[emotion] ?? { face: 0, voice: 0 };
    const marker = emotion === p.emotion ? '▶' : i < p.index ? '✓' : '·';
    const parts: string[] = [];
    if (!p.skipped.includes('face')) parts.push(`photos ${bar(c.face, p.target)}`);
    if (!p.skipped.includes('voice')) parts.push(`clips ${bar(c.voice, p.target)}`);
    lines.push(`${marker} **${emotion}**: ${parts.join(' · ')}`);
  }
  lines.push('');
  if (p.emotion) {
    lines.push(`Now: **${p.emotion}**, ${directionFor(p.emotion)}.`);
    const now = p.counts[p.emotion] ?? { face: 0, voice: 0 };
    const needFace = !p.skipped.includes('face') && now.face < p.target;
    const needVoice = !p.skipped.includes('voice') && now.voice < p.target;
    if (needFace) lines.push('📷 Send selfies in this channel (several at once is fine).');
    if (needVoice && p.sentence) {
      const say = {
        channel: `🎙️ Say in the voice channel: “${p.sentence}” (I stop recording when you pause).`,
        joining: `🎙️ Joining your voice channel… then say: “${p.sentence}”`,
        messages: `🎙️ Send a voice message (or an audio file) in this channel saying: “${p.sentence}”`,
      };
      lines.push(say[voice.route]);
      if (voice.route === 'channel' && voice.hearing) lines.push('🔴 Hearing you…');
    }
  }
  if (voice.note) lines.push(`_${voice.note}_`);
  return lines.join('\n');
}
