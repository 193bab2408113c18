/** The voice half of the recognition core: decoding, trimming, features, speed measurement. */
export { ANALYSIS_SAMPLE_RATE, DEFAULT_MAX_BYTES, DEFAULT_MAX_SECONDS, type DecodeOptions } from './constants';
export { decodeAudio, decodeAudioAsync, pcmToAnalysis, sniffAudioFormat, type AudioFormat } from './decode';
export { loadMp3Decoder, isMp3DecoderLoaded } from './mp3';
export { trimSilence, MIN_SPEECH_SECONDS, type TrimmedSpeech } from './vad';
export { extractVoiceFeatures, analyzeVoice, analyzeVoiceAsync } from './features';
