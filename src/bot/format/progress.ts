import type { FlowProgress } from '../calibration/CalibrationFlow';
import { directionFor } from '../calibration/prompts';

/** How the person can hand in voice clips right now ('joining': Attune is joining their voice channel). */
export type VoiceRoute = 'channel' | 'joining' | 'messages';

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
    const c = p.counts[emotion];
    const marker = emotion === p.emotion ? '▶' : i < p.index ? '✓' : '·';
    const parts: string[] = [];
    if (!p.skipped.includes('face')) parts.push(`photos ${bar(c.face, p.target)}`);
    if (!p.skipped.includes('voice')) parts.push(`clips ${bar(c.voice, p.target)}`);
    lines.push(`${marker} **${emotion}**: ${parts.join(' · ')}`);
  }
  lines.push('');
  if (p.emotion) {
    lines.push(`Now: **${p.emotion}**, ${directionFor(p.emotion)}.`);
    const needFace = !p.skipped.includes('face') && p.counts[p.emotion].face < p.target;
    const needVoice = !p.skipped.includes('voice') && p.counts[p.emotion].voice < p.target;
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
