import type { FlowProgress } from '../calibration/CalibrationFlow';
import { directionFor } from '../calibration/prompts';

/** How the person can hand in voice clips right now. */
export type VoiceRoute = 'channel' | 'messages';

function bar(n: number, of: number): string {
  const done = Math.min(n, of);
  return `${'●'.repeat(done)}${'○'.repeat(Math.max(0, of - done))} ${done}/${of}`;
}

/** The calibration progress message, edited in place as samples arrive. */
export function formatProgress(p: FlowProgress, voice: { route: VoiceRoute; note?: string }): string {
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
      lines.push(
        voice.route === 'channel'
          ? `🎙️ Say in the voice channel: “${p.sentence}” (I stop recording when you pause).`
          : `🎙️ Send a voice message (or an audio file) in this channel saying: “${p.sentence}”`,
      );
    }
  }
  if (voice.note) lines.push(`_${voice.note}_`);
  return lines.join('\n');
}
