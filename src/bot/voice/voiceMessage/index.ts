/**
 * Discord's voice-message format: a spoken answer as Ogg Opus (48 kHz mono) with its duration and
 * waveform, encoded in a worker thread. The reply core hands over mono PCM and knows nothing of this.
 */
export { toVoiceMessage, waveform, type VoiceMessage } from './voiceMessage';
export { VoiceMessageEncoder } from './VoiceMessageEncoder';
