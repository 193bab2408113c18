export { decodeImage, DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIDE } from './decode';
export type { DecodedImage, DecodeOptions } from './decode';
export { sniffImageFormat } from './sniff';
export type { ImageFormat } from './sniff';
