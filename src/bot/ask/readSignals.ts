import type { Guild } from 'discord.js';
import type { FaceFeatures, Result, VoiceFeatures } from '../../ml/types';
import type { BotContext } from '../context';
import { voiceAccess } from '../guards';
import type { AttachmentInfo } from '../util/attachments';
import type { RecordOptions } from '../voice/recordUtterance';

/**
 * Listening limits for /ask. The answer waits on the end of speech, so it ends as soon as the
 * person's client stops sending (its own voice detection already bridged their pauses); an open
 * microphone ends after 700 ms under the speech level, longer than a pause between words.
 */
export const ASK_LISTEN: RecordOptions = { startTimeoutMs: 15_000, maxMs: 15_000, end: { afterStopMs: 40, gapMs: 300, quietMs: 700 } };

/** The signals read for one /ask, and why a signal is missing. */
export interface AskSignals {
  face?: FaceFeatures;
  voice?: VoiceFeatures;
  noFaceReason?: string;
  noVoiceReason?: string;
  /** The person is in an allowed voice channel (the reply is spoken there). */
  voiceChannelId: string | null;
  /** When the spoken question ended (ms since epoch), for the latency benchmark. */
  speechEndedAt?: number;
}

function reason(r: Result<unknown>): string | undefined {
  return r.ok ? undefined : `(${r.message})`;
}

/**
 * Reads face and voice for /ask: the photo option; the voice option, or else the person's next
 * utterance in their voice channel. Both run at once; the engine analyses in its worker.
 */
export async function readSignals(
  ctx: BotContext,
  guild: Guild,
  userId: string,
  photo: AttachmentInfo | null,
  voiceFile: AttachmentInfo | null,
  onListening: () => Promise<void>,
): Promise<AskSignals> {
  const settings = ctx.store.getGuildSettings(guild.id);
  const access = voiceAccess(settings, guild.members.cache.get(userId)?.voice.channelId);
  const out: AskSignals = { voiceChannelId: access.ok ? access.channelId : null };

  const facePart = (async () => {
    if (!photo) return;
    const bytes = await ctx.download(ownedBy(photo, userId), 'image');
    const face = bytes.ok ? await ctx.engine.analyzeFace(bytes.value) : bytes;
    if (face.ok) out.face = face.value;
    else out.noFaceReason = reason(face);
  })();

  const voicePart = (async () => {
    if (voiceFile) {
      const bytes = await ctx.download(ownedBy(voiceFile, userId), 'audio');
      const voice = bytes.ok ? await ctx.engine.analyzeVoice(bytes.value) : bytes;
      if (voice.ok) out.voice = voice.value;
      else out.noVoiceReason = reason(voice);
      return;
    }
    if (!access.ok) {
      if (access.reason) out.noVoiceReason = `(${access.reason})`;
      return;
    }
    if (ctx.calibrations.findByUser(userId)) {
      out.noVoiceReason = '(you are calibrating; I only listen for the calibration until it ends)';
      return;
    }
    const acquired = await ctx.voice.acquire(guild, access.channelId, `ask:${userId}`);
    if (!acquired.ok) {
      out.noVoiceReason = `(${acquired.message})`;
      return;
    }
    try {
      // In an end-to-end encrypted call, say "listening" only once speech can be decrypted.
      if (!(await acquired.value.whenReceiveReady())) ctx.logger.warn('ask.voice_not_ready', { guildId: guild.id });
      await onListening();
      const utterance = await acquired.value.record(userId, ASK_LISTEN);
      if (!utterance.ok) {
        out.noVoiceReason = utterance.code === 'corrupt' ? `(${utterance.message} You can attach a voice file instead.)` : `(${utterance.message})`;
        return;
      }
      out.speechEndedAt = utterance.value.endedAt;
      const voice = await ctx.engine.analyzeVoice(utterance.value.pcm);
      if (voice.ok) out.voice = voice.value;
      else out.noVoiceReason = reason(voice);
    } finally {
      ctx.voice.release(guild.id, `ask:${userId}`);
    }
  })();

  await Promise.all([facePart, voicePart]);
  return out;
}

/** The attachment's download fields, tagged with who sent it so their downloads share one cap. */
function ownedBy(info: AttachmentInfo, owner: string): AttachmentInfo {
  return { url: info.url, size: info.size, name: info.name, contentType: info.contentType, owner };
}
