import type { GuildSettings } from '../storage';
import { Identifiers, UserError } from './errors';

/** Throws a UserError when Attune is restricted to other channels in this server. */
export function assertChannelAllowed(settings: GuildSettings, channelId: string | null): void {
  if (settings.allowedChannelIds.length === 0) return;
  if (channelId && settings.allowedChannelIds.includes(channelId)) return;
  const where = settings.allowedChannelIds.map((id) => `<#${id}>`).join(', ');
  throw new UserError(
    Identifiers.ChannelNotAllowed,
    `This server's admins have limited Attune to ${where}. Please use me there.`,
    { allowedChannels: settings.allowedChannelIds.length },
  );
}

/** Where Attune may listen to a person, or why it may not. */
export type VoiceAccess = { ok: true; channelId: string } | { ok: false; reason: string | null };

/**
 * Decides whether Attune may join the person's voice channel. `reason` is null when the person is
 * simply not in voice (nothing to explain), a sentence otherwise.
 */
export function voiceAccess(settings: GuildSettings, voiceChannelId: string | null | undefined): VoiceAccess {
  if (!voiceChannelId) return { ok: false, reason: null };
  if (!settings.voiceEnabled)
    return {
      ok: false,
      reason: 'Voice features are turned off in this server (an admin can turn them on with `/attune-settings voice`).',
    };
  if (settings.allowedChannelIds.length > 0 && !settings.allowedChannelIds.includes(voiceChannelId)) {
    return { ok: false, reason: "Attune isn't allowed in your voice channel in this server." };
  }
  return { ok: true, channelId: voiceChannelId };
}
