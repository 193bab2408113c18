/**
 * The permission bits the stand-in puts into interaction payloads (`member.permissions`,
 * `app_permissions`) as decimal strings, as Discord does.
 */
export const Permission = {
  Administrator: 1n << 3n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  UseVAD: 1n << 25n,
  UseApplicationCommands: 1n << 31n,
  SendVoiceMessages: 1n << 46n,
} as const;

/** What an ordinary member of a small server can do. */
export const DEFAULT_MEMBER_PERMISSIONS =
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.AddReactions |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.Connect |
  Permission.Speak |
  Permission.UseVAD |
  Permission.UseApplicationCommands |
  Permission.SendVoiceMessages;

/** What the bot gets unless a test says otherwise: everything Attune needs, nothing administrative. */
export const DEFAULT_BOT_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS;

/** Accepts a bigint, a decimal string or a list of `Permission` names; returns the bit set. */
export function toPermissionBits(
  value: bigint | string | readonly (keyof typeof Permission)[] | undefined,
  fallback: bigint,
): bigint {
  if (value === undefined) return fallback;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string') return BigInt(value);
  return value.reduce((bits, name) => bits | Permission[name], 0n);
}
