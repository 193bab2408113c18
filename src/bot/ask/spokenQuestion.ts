import type { GuildSettings } from '../../storage';
import { coversTranscription } from '../calibration/consent';
import type { BotContext } from '../context';
import { voiceAccess } from '../guards';

/** The answer when words were heard but not understood (service down, timeout, nothing usable). */
export const NOT_UNDERSTOOD = 'I heard you but could not make out the words — type the question?';
/** The answer when no speech came at all. */
export const NOT_HEARD =
  'I did not hear a question — type it with `/ask question:`, or run `/ask` again and speak after **Listening…**.';

const TYPE_IT = 'Type your question: `/ask question: …`.';

/**
 * Why a question cannot be asked out loud right now, as one message saying what to do instead; null
 * when it can: a transcription service is configured, this server has not turned it off, the person
 * agreed to their recordings going to it, and there is audio to hear (an attached recording, or a
 * voice channel Attune may listen in, and no calibration of theirs listening already).
 */
export async function spokenQuestionRefusal(
  ctx: BotContext,
  settings: GuildSettings,
  userId: string,
  voiceChannelId: string | null | undefined,
  hasVoiceFile: boolean,
): Promise<string | null> {
  const transcriber = ctx.reply.transcriber ?? null;
  if (!transcriber) {
    return `${TYPE_IT} Asking out loud needs a speech-to-text service, and this Attune has none set up (its owner can add one: \`ATTUNE_TRANSCRIBER=openai\`, see the README).`;
  }
  if (settings.transcriptionEnabled === false) {
    return `${TYPE_IT} This server's admins have turned spoken questions off (\`/attune-settings transcription\`).`;
  }
  if (!coversTranscription(await ctx.store.getConsent(userId), transcriber.host)) {
    return `${TYPE_IT} To understand a spoken question I send the recording to **${transcriber.host}** to turn it into words, and you have not agreed to that yet: \`/calibrate\` shows what is sent where and asks (you can cancel the calibration right after agreeing).`;
  }
  if (hasVoiceFile) return null;
  if (ctx.calibrations.findByUser(userId))
    return `${TYPE_IT} You are calibrating; until it ends I only listen for the calibration.`;
  const access = voiceAccess(settings, voiceChannelId);
  if (!access.ok)
    return `${TYPE_IT} To ask out loud, join a voice channel${access.reason ? ` where I may listen (${access.reason})` : ''} or attach a recording as \`voice\`.`;
  return null;
}
