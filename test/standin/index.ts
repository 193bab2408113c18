/**
 * A local Discord stand-in for end-to-end tests. See README.md in this folder.
 */
export { Standin, startStandin } from './Standin';
export type { StandinOptions, AttachmentOptions, SlashCommandOptions, MessageRef } from './Standin';
export { InteractionHandle, CallbackType, messageText } from './interactions/InteractionHandle';
export type { InteractionResponse } from './interactions/InteractionHandle';
export type { OptionValue } from './interactions/payloads';
export type { GuildOptions, ChannelOptions, MemberOptions, UserOptions } from './world/World';
export type { Json, StoredMessage, StoredFile, StandinUser, StandinGuild, StandinChannel } from './world/types';
export type { ReconnectMode } from './gateway/GatewayServer';
export type { SpeakOptions, SpeakResult, SpeechPause, PaddingBurst } from './voice/speech';
export type { VoiceServerOptions, PaddingOptions, RtpToBot, DaveStatus } from './voice/VoiceServer';
export type { DaveState } from './voice/dave/DaveGroup';
export type { SimulatedMember } from './voice/dave/SimulatedMember';
export type { BotPacket, VoiceSession } from './voice/VoiceSession';
export { AES_GCM_MODE, XCHACHA_MODE, ENCRYPTION_MODES, decryptFromBot, looksDaveEncrypted } from './voice/rtp';
export type { EncryptionMode, DecryptedRtp } from './voice/rtp';
export { VoiceOp, VoiceCloseCode } from './voice/opcodes';
export { Permission, DEFAULT_MEMBER_PERMISSIONS, DEFAULT_BOT_PERMISSIONS } from './util/permissions';
export {
  encodeOpusPackets,
  decodeOpusPackets,
  decodeOggOpus,
  loadOggOpusFile,
  activeSeconds,
  peakDb,
  sineWave,
  SAMPLE_RATE,
  FRAME_SAMPLES,
} from './audio/opus';
export { parseOggOpus } from './audio/ogg';
export type { OggOpusStream } from './audio/ogg';
export type { OggOpusClip, EncodeOptions } from './audio/opus';
export { SILENCE_FRAME } from './voice/rtp';
