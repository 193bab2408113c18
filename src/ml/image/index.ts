/** Photo decoding (sharp): the one door the face pipeline and the scripts use. */
export { decodeImage } from './decode';
export type { DecodedImage, DecodeOptions } from './decode';
