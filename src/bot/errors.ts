/**
 * The bot's two kinds of error (as Sapphire has them): a {@link UserError} is an expected problem the
 * person can fix, named by one of the closed set of {@link Identifiers} and shown to them; anything
 * else is logged with its context and answered with {@link GENERIC_ERROR_MESSAGE}.
 *
 * Failures that are not about media (a download, the voice connection, a busy queue) have codes of
 * their own here too, so the core's `FailureCode` keeps meaning "this file or clip is unusable".
 */

/** Every expected problem a person is told about; the value is what logs and tests see. */
export enum Identifiers {
  /** A server-only command used elsewhere. */
  GuildOnly = 'guild_only',
  /** The server restricts Attune to other channels. */
  ChannelNotAllowed = 'channel_not_allowed',
  /** Someone pressed a button that belongs to another person. */
  NotYours = 'not_yours',
  /** A button from an older version or an ended flow. */
  UnknownButton = 'unknown_button',
  /** A settings change without Manage Server. */
  NotAdmin = 'not_admin',
  /** /ask with no typed question and no way to hear or transcribe a spoken one. */
  NoSpokenQuestion = 'no_spoken_question',
  /** /calibrate's emotions option is not 2 to 6 single words. */
  BadEmotions = 'bad_emotions',
  /** A second /calibrate while one runs (in this process). */
  AlreadyCalibrating = 'already_calibrating',
  /** A second /calibrate while one runs on another shard or host. */
  CalibratingElsewhere = 'calibrating_elsewhere',
}

/**
 * An expected problem the person can fix (no face, wrong file, not allowed here...): shown to them as
 * an ephemeral message; logged as its identifier and context, never its message.
 */
export class UserError extends Error {
  constructor(
    /** Which problem, from the closed set. */
    readonly identifier: Identifiers,
    /** What the person reads. */
    message: string,
    /** Plain fields for the log line (no user ids, no question text). */
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The reply for anything unexpected: no details, the log has them. */
export const GENERIC_ERROR_MESSAGE = 'Something went wrong on my side. Please try again in a moment.';

/** Why an attachment could not be fetched: its link, the network or Attune's queue, not its content. */
export type DownloadFailureCode =
  | 'not_discord_link' // not an https link to Discord's CDN (or a configured host)
  | 'empty' // declared or received as zero bytes
  | 'too_large' // over the size limit for its kind (declared, or while streaming)
  | 'http_error' // the host answered with an error status
  | 'network_error' // the connection failed
  | 'timed_out' // the whole download took longer than allowed
  | 'busy'; // the person's or the process's download queue is full: try again shortly

/** Why the voice channel could not be used, or a recording gave no clip (besides silence). */
export type VoiceFailureCode =
  | 'connect_failed' // joining the channel did not complete
  | 'shutting_down' // the bot is stopping
  | 'channel_busy' // the bot is held in another channel of this server
  | 'not_connected' // the connection is gone
  | 'already_recording' // this person is being recorded for something else
  | 'undecryptable' // speech arrived but could not be decrypted (DAVE)
  | 'stopped'; // the recording was cancelled (e.g. /forget)
