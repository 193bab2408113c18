import { type ChatInputCommandInteraction } from 'discord.js';
import { CORRECTION_PREFIX, handleCorrectionButton, offerCorrection } from '../bot/ask/corrections';
import { readSignals } from '../bot/ask/readSignals';
import { speakAnswer } from '../bot/ask/speak';
import { NOT_HEARD, NOT_UNDERSTOOD, spokenQuestionRefusal } from '../bot/ask/spokenQuestion';
import type { BotContext } from '../bot/context';
import { Identifiers, UserError } from '../bot/errors';
import { DISCORD_MESSAGE_LIMIT, fitDiscordMessage } from '../bot/format/message';
import { formatReading } from '../bot/format/reading';
import { assertChannelAllowed } from '../bot/guards';
import { hashUserId } from '../bot/util/log';
import { toneOf, type Answer } from '../reply';
import { ASK_DEFINITION } from './definitions/ask';
import type { Command } from './types';

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return `> ${oneLine.length > 300 ? `${oneLine.slice(0, 299)}…` : oneLine}`;
}

/** The reply when there is no question to answer: said in the tone the reading suggests. */
function notUnderstood(text: string, reading: Parameters<typeof toneOf>[0]): Answer {
  const tone = toneOf(reading);
  return { text, emotion: tone.emotion, intensity: tone.intensity, intent: 'empty', source: 'builtin' };
}

export const ask: Command = {
  data: ASK_DEFINITION,

  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    const guild = interaction.guild;
    if (!guild) throw new UserError(Identifiers.GuildOnly, 'Please use /ask in a server.');
    const settings = await ctx.store.getGuildSettings(guild.id);
    assertChannelAllowed(settings, interaction.channelId);
    const typed = interaction.options.getString('question');
    const photo = interaction.options.getAttachment('photo');
    const voice = interaction.options.getAttachment('voice');
    // No typed question: the spoken one is the question, if it can be heard and turned into words here.
    const spoken = !typed?.trim();
    if (spoken) {
      const refusal = await spokenQuestionRefusal(
        ctx,
        settings,
        interaction.user.id,
        guild.members.cache.get(interaction.user.id)?.voice.channelId,
        voice !== null,
      );
      if (refusal) throw new UserError(Identifiers.NoSpokenQuestion, refusal);
    }
    // Acknowledge first: everything below can take longer than Discord's 3 s window.
    await interaction.deferReply();
    const receivedAt = Date.now();
    const user = hashUserId(interaction.user.id);

    const signals = await readSignals(
      ctx,
      guild,
      interaction.user.id,
      photo,
      voice,
      async () => {
        await interaction.editReply(
          spoken
            ? '🎙️ **Listening…** ask your question out loud in the voice channel (I wait up to 15 s).'
            : `${quote(typed!)}\n🎙️ **Listening…** ask your question out loud in the voice channel (I wait up to 15 s).`,
        );
      },
      spoken,
    );
    const heard = signals.heard;
    const question = spoken ? (heard?.ok ? heard.text : null) : typed!;
    // From here someone is waiting for the answer text: calibrations training meanwhile step aside
    // (the analyses above already did). Listening and playback are not included: they wait, not work.
    const { prediction, answer } = await ctx.engine.interactive(async () => {
      const model = await ctx.models.current(interaction.user.id);
      // A voice is only read by a person's own model (there is no general voice model): without one,
      // a clip is no signal, and a reading made of no signal would be a guess dressed as a reading.
      const voice = signals.voice !== undefined && model?.voice ? signals.voice : undefined;
      if (signals.voice !== undefined && !voice)
        signals.noVoiceReason = '(reading a voice needs a voice calibration first: run `/calibrate`)';
      const hasSignal = signals.face !== undefined || voice !== undefined;
      const prediction = hasSignal
        ? await ctx.engine.predict(model, { face: signals.face, voice }, model?.emotions)
        : null;
      const member = guild.members.cache.get(interaction.user.id);
      const answer: Answer =
        question !== null
          ? await ctx.reply.answerer.answer({
              text: question,
              reading: prediction,
              displayName: member?.displayName ?? interaction.user.displayName,
              timeZone: ctx.config.timeZone,
              locale: interaction.locale,
            })
          : notUnderstood(heard ? NOT_UNDERSTOOD : NOT_HEARD, prediction);
      const reading = formatReading(prediction, {
        noFaceReason: signals.noFaceReason,
        noVoiceReason: signals.noVoiceReason,
        calibrated: model !== null,
      });
      const notCalibrated =
        !model && !prediction ? '\n_Not calibrated yet: `/calibrate` teaches me how you look and sound._' : '';
      const faces =
        signals.face && signals.face.faceCount > 1
          ? `\n_I found ${signals.face.faceCount} faces in the photo and read the largest one._`
          : '';
      const rebuilding =
        !model && ctx.models.rebuilding(interaction.user.id)
          ? '\n_Your personal model is being rebuilt for this version of Attune; this answer did without it._'
          : '';
      const asked = question === null ? '' : spoken ? `${quote(`you said: ${question}`)}\n` : `${quote(question)}\n`;
      const head = `${asked}${reading}${notCalibrated}${faces}${rebuilding}\n\n`;
      // The answer is trimmed (at a sentence where it can) to fit one message with the reading above it.
      const body = fitDiscordMessage(answer.text, DISCORD_MESSAGE_LIMIT - head.length);
      // Confirm/correct buttons; the features stay in memory (only for consenting people) until pressed.
      const components = await offerCorrection(ctx, interaction.user.id, model, prediction, {
        face: signals.face,
        voice,
      });
      await interaction.editReply({ content: head + body, components });
      return { prediction, answer };
    });
    const answeredAt = Date.now();
    ctx.logger.info('ask.answered', {
      guildId: guild.id,
      user,
      face: signals.face !== undefined,
      voice: signals.voice !== undefined,
      generic: prediction?.generic ?? null,
      intent: answer.intent,
      spoken,
      // Whether the words came through (or why not) and how long the service took; never the words.
      transcription: heard ? (heard.ok ? 'ok' : heard.reason) : null,
      transcriptionMs: heard?.ms ?? null,
      uploadBytes: heard?.uploadBytes ?? null,
      msSinceAck: answeredAt - receivedAt,
      msAfterSpeech: signals.speechEndedAt ? answeredAt - signals.speechEndedAt : null,
    });
    const speech = (await ctx.store.getPersonSettings(interaction.user.id)).speakReplies
      ? await speakAnswer(ctx, interaction, guild, answer, signals.voiceChannelId)
      : 'off';
    ctx.logger.info('ask.spoken', { guildId: guild.id, user, how: speech });
  },

  componentPrefix: CORRECTION_PREFIX,
  handleButton: handleCorrectionButton,
};
