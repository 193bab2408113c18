import type { Guild } from 'discord.js';
import { sniffAudioFormat } from '../../ml/audio/decode';
import type { FaceFeatures, Result, VoiceFeatures } from '../../ml/types';
import type { SpokenAudio, TranscriptionResult } from '../../reply';
import type { BotContext } from '../context';
import { voiceAccess } from '../guards';
import type { AttachmentInfo } from '../util/attachments';
import type { RecordOptions } from '../voice/recordUtterance';

/**
 * Listening limits for /ask. The answer waits on the end of speech, so it ends as soon as the
 * person's client stops sending (its own voice detection already bridged their pauses); an open
 * microphone ends after 700 ms under the speech level, longer than a pause between words.
 */
export const ASK_LISTEN: RecordOptions = {
  startTimeoutMs: 15_000,
  maxMs: 15_000,
  end: { afterStopMs: 40, gapMs: 300, quietMs: 700 },
};

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
  /** The transcription of what was said, when asked for and there was audio to send. */
  heard?: TranscriptionResult;
}

/** Content types and file names for an attached recording, by what its bytes are. */
const AUDIO_FILE = {
  ogg: ['audio/ogg', 'question.ogg'],
  wav: ['audio/wav', 'question.wav'],
  mp3: ['audio/mpeg', 'question.mp3'],
} as const;

function reason(r: Result<unknown, string>): string | undefined {
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
  /** Also turn the words into text (the question was spoken, not typed). */
  transcribe = false,
): Promise<AskSignals> {
  const settings = await ctx.store.getGuildSettings(guild.id);
  const access = voiceAccess(settings, guild.members.cache.get(userId)?.voice.channelId);
  const out: AskSignals = { voiceChannelId: access.ok ? access.channelId : null };
  const transcriber = transcribe ? (ctx.reply.transcriber ?? null) : null;

  /** Emotion and words from the same audio, at once: the answer waits for the slower of the two. */
  const readVoice = async (
    audio: Uint8Array | Extract<SpokenAudio, { kind: 'pcm' }>['pcm'],
    spoken: SpokenAudio | null,
  ) => {
    // The upload starts first: the service's round trip is the long pole.
    const [heard, voice] = await Promise.all([
      transcriber && spoken ? transcriber.transcribe(spoken) : Promise.resolve(undefined),
      ctx.engine.analyzeVoice(audio),
    ]);
    if (voice.ok) out.voice = voice.value;
    else out.noVoiceReason = reason(voice);
    if (heard) out.heard = heard;
  };

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
      if (!bytes.ok) {
        out.noVoiceReason = reason(bytes);
        return;
      }
      // An attached recording goes to the service as it came (every format Attune reads, it accepts).
      const format = sniffAudioFormat(bytes.value);
      const spoken: SpokenAudio | null = format
        ? { kind: 'file', bytes: bytes.value, contentType: AUDIO_FILE[format][0], filename: AUDIO_FILE[format][1] }
        : null;
      await readVoice(bytes.value, spoken);
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
    // A /forget from this person, handled here or on any other shard, stops the listening at once.
    const forgotten = new AbortController();
    let stopWatching: () => void = () => undefined;
    try {
      stopWatching = await ctx.store.watchForget(userId, () => forgotten.abort());
    } catch (error) {
      ctx.logger.warn('ask.forget_watch_failed', { guildId: guild.id, error });
    }
    try {
      // In an end-to-end encrypted call, say "listening" only once speech can be decrypted.
      if (!(await acquired.value.whenReceiveReady())) ctx.logger.warn('ask.voice_not_ready', { guildId: guild.id });
      await onListening();
      const utterance = await acquired.value.record(userId, { ...ASK_LISTEN, signal: forgotten.signal });
      if (forgotten.signal.aborted) {
        out.noVoiceReason = '(you asked me to forget you, so I stopped listening)';
        return;
      }
      if (!utterance.ok) {
        out.noVoiceReason =
          utterance.code === 'undecryptable'
            ? `(${utterance.message} You can attach a voice file instead.)`
            : `(${utterance.message})`;
        return;
      }
      out.speechEndedAt = utterance.value.endedAt;
      await readVoice(utterance.value.pcm, { kind: 'pcm', pcm: utterance.value.pcm });
    } finally {
      stopWatching();
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
