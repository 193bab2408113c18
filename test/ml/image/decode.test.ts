import sharp, { type Sharp } from 'sharp';
import { decodeImage } from '../../../src/ml/image/decode';
import { sniffImageFormat } from '../../../src/ml/image/sniff';
import { crc32, withDeclaredSize } from './pngHeader';

/** A 40×20 image: left half red, right half blue. */
function halves(): Sharp {
  const width = 40;
  const height = 20;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (x < width / 2) pixels[i] = 255;
      else pixels[i + 2] = 255;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

function pixelAt(image: { pixels: Uint8Array; width: number }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return Array.from(image.pixels.subarray(i, i + 3));
}

/** Noise compresses badly, so truncating the JPEG cuts into entropy-coded data. */
async function noiseJpeg(width: number, height: number): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    pixels[i] = seed & 0xff;
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
}

describe('sniffImageFormat', () => {
  it('recognises JPEG, PNG and WebP by magic bytes and nothing else', async () => {
    expect(sniffImageFormat(new Uint8Array(await halves().jpeg().toBuffer()))).toBe('jpeg');
    expect(sniffImageFormat(new Uint8Array(await halves().png().toBuffer()))).toBe('png');
    expect(sniffImageFormat(new Uint8Array(await halves().webp().toBuffer()))).toBe('webp');
    expect(sniffImageFormat(new Uint8Array(await halves().gif().toBuffer()))).toBeNull();
    expect(sniffImageFormat(new TextEncoder().encode('RIFF....WAVEfmt '))).toBeNull();
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });
});

describe('decodeImage', () => {
  it('refuses empty input', async () => {
    const result = await decodeImage(new Uint8Array(0));
    expect(result).toMatchObject({ ok: false, code: 'empty' });
  });

  it('refuses input over the byte limit before looking at it', async () => {
    const jpeg = new Uint8Array(await halves().jpeg().toBuffer());
    const result = await decodeImage(jpeg, { maxBytes: jpeg.length - 1 });
    expect(result).toMatchObject({ ok: false, code: 'too_large' });
  });

  it('refuses a GIF and plain text as unsupported formats', async () => {
    const gif = await decodeImage(new Uint8Array(await halves().gif().toBuffer()));
    expect(gif).toMatchObject({ ok: false, code: 'unsupported_format' });
    const text = await decodeImage(new TextEncoder().encode('hello, this is not an image'));
    expect(text).toMatchObject({ ok: false, code: 'unsupported_format' });
  });

  it('reports a truncated JPEG as corrupt', async () => {
    const jpeg = await noiseJpeg(200, 200);
    const result = await decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    expect(result).toMatchObject({ ok: false, code: 'corrupt' });
    // A JPEG cut inside its header cannot even be measured.
    expect(await decodeImage(jpeg.subarray(0, 20))).toMatchObject({ ok: false, code: 'corrupt' });
  });

  it('refuses a PNG whose header declares a huge size, from the header alone', async () => {
    const small = new Uint8Array(
      await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
    );
    const bomb = withDeclaredSize(small, 50_000, 50_000);
    // The edited header is valid: sharp reads the declared size.
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 50_000, height: 50_000 });
    const result = await decodeImage(bomb);
    expect(result).toMatchObject({ ok: false, code: 'too_many_pixels' });
    if (!result.ok) expect(result.message).toContain('50000×50000');
    // With the limit raised, decoding is attempted and fails on the 16×16 data: so the refusal
    // above came from the header check, before any decoding.
    const attempted = await decodeImage(bomb, { maxPixels: 3e9 });
    expect(attempted).toMatchObject({ ok: false, code: 'corrupt' });
  });

  it('computes PNG CRCs the way PNG does (IEND chunk of every PNG)', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });

  it('honours EXIF orientation 6 (rotate 90° clockwise)', async () => {
    const jpeg = new Uint8Array(await halves().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
    const result = await decodeImage(jpeg);
    if (!result.ok) throw new Error(result.message);
    const image = result.value;
    expect([image.width, image.height]).toEqual([20, 40]);
    expect([image.originalWidth, image.originalHeight]).toEqual([20, 40]);
    // Stored left half (red) becomes the top after a clockwise quarter turn.
    const top = pixelAt(image, 10, 5);
    const bottom = pixelAt(image, 10, 34);
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(60);
  });

  it('returns 3-channel RGB for greyscale and RGBA input', async () => {
    const grey = new Uint8Array(
      await sharp({ create: { width: 8, height: 6, channels: 3, background: '#404040' } })
        .greyscale()
        .jpeg()
        .toBuffer(),
    );
    const greyResult = await decodeImage(grey);
    if (!greyResult.ok) throw new Error(greyResult.message);
    expect(greyResult.value.pixels.length).toBe(8 * 6 * 3);
    const rgba = new Uint8Array(
      await sharp({ create: { width: 5, height: 4, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } })
        .png()
        .toBuffer(),
    );
    const rgbaResult = await decodeImage(rgba);
    if (!rgbaResult.ok) throw new Error(rgbaResult.message);
    expect(rgbaResult.value.format).toBe('png');
    expect(rgbaResult.value.pixels.length).toBe(5 * 4 * 3);
  });

  it('shrinks large images to maxSide and reports the scale', async () => {
    const jpeg = new Uint8Array(
      await sharp({ create: { width: 1280, height: 720, channels: 3, background: '#336699' } })
        .jpeg()
        .toBuffer(),
    );
    const result = await decodeImage(jpeg);
    if (!result.ok) throw new Error(result.message);
    expect(result.value).toMatchObject({
      width: 640,
      height: 360,
      originalWidth: 1280,
      originalHeight: 720,
      scale: 0.5,
      format: 'jpeg',
    });
    const webp = new Uint8Array(
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } })
        .webp()
        .toBuffer(),
    );
    const small = await decodeImage(webp, { maxSide: 150 });
    if (!small.ok) throw new Error(small.message);
    expect(small.value).toMatchObject({ width: 150, height: 100, scale: 0.5, format: 'webp' });
  });

  it('does not enlarge small images', async () => {
    const png = new Uint8Array(
      await sharp({ create: { width: 32, height: 24, channels: 3, background: '#000' } })
        .png()
        .toBuffer(),
    );
    const result = await decodeImage(png);
    if (!result.ok) throw new Error(result.message);
    expect(result.value).toMatchObject({ width: 32, height: 24, scale: 1 });
  });

  it('rejects a nonsensical maxSide as invalid', async () => {
    const png = new Uint8Array(
      await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
        .png()
        .toBuffer(),
    );
    expect(await decodeImage(png, { maxSide: 0 })).toMatchObject({ ok: false, code: 'invalid' });
  });
});
