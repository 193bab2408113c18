import { AttachmentBuilder, MessageFlags, type ChatInputCommandInteraction, type Guild } from 'discord.js';
import { collectChunks, type Answer, type PcmChunk } from '../../reply';
import { discordPcmStream } from '../voice/discordPcm';
import type { BotContext } from '../context';
import { hashUserId } from '../util/log';

async function* synthesize(ctx: BotContext, answer: Answer): AsyncGenerator<PcmChunk> {
  if (!ctx.reply.speech) return;
  yield* ctx.reply.speech.synthesize(answer.text, { emotion: answer.emotion, intensity: answer.intensity });
}

/**
 * Speaks the answer: in the person's voice channel when they are in one (one player per server,
 * replies queue), else as a voice message follow-up (voice messages cannot carry text, hence a
 * separate message). Speech failures are logged; the text answer already stands.
 */
export async function speakAnswer(
  ctx: BotContext,
  interaction: ChatInputCommandInteraction,
  guild: Guild,
  answer: Answer,
  voiceChannelId: string | null,
): Promise<'channel' | 'voice_message' | 'none'> {
  if (!ctx.reply.speech || answer.text.trim() === '') return 'none';
  const user = hashUserId(interaction.user.id);
  try {
    if (voiceChannelId) {
      const holder = `speak:${interaction.id}`;
      const acquired = await ctx.voice.acquire(guild, voiceChannelId, holder);
      if (acquired.ok) {
        try {
          // Streamed: playback starts as soon as the first sentence is synthesised.
          await acquired.value.play(discordPcmStream(synthesize(ctx, answer)), { afterQuiet: interaction.user.id });
          return 'channel';
        } finally {
          ctx.voice.release(guild.id, holder);
        }
      }
    }
    if (!ctx.voiceMessages) return 'none';
    const pcm = await collectChunks(synthesize(ctx, answer));
    if (pcm.samples.length === 0) return 'none';
    const message = await ctx.voiceMessages.encode(pcm);
    const file = new AttachmentBuilder(Buffer.from(message.ogg), {
      name: 'voice-message.ogg',
      description: 'Attune reads its answer aloud',
    })
      .setDuration(message.durationSecs)
      .setWaveform(message.waveformBase64);
    await interaction.followUp({ files: [file], flags: MessageFlags.IsVoiceMessage });
    return 'voice_message';
  } catch (error) {
    ctx.logger.error('ask.speech_failed', { guildId: guild.id, user, error });
    return 'none';
  }
}
