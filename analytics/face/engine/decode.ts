// JPEG (or PNG) bytes → RGB pixels with sharp, upright (EXIF orientation applied) and capped in size,
// so a 4K snapshot costs the detector no more than a 1920-pixel one.
import sharp from 'sharp';

export interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
  /** Original pixels per decoded pixel (≥ 1): boxes are scaled back with it. */
  scale: number;
}

export class ImageDecodeError extends Error {}

export async function decodeRgb(image: Uint8Array, maxSide: number): Promise<Rgb> {
  try {
    const img = sharp(image, { failOn: 'error' }).rotate();
    const meta = await img.metadata();
    const w = meta.autoOrient?.width ?? meta.width ?? 0;
    const h = meta.autoOrient?.height ?? meta.height ?? 0;
    const scale = Math.max(1, Math.max(w, h) / maxSide);
    const resized = scale > 1 ? img.resize({ width: Math.round(w / scale), height: Math.round(h / scale), fit: 'fill' }) : img;
    const { data, info } = await resized.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, scale };
  } catch (err) {
    throw new ImageDecodeError(`not a readable image: ${err instanceof Error ? err.message : String(err)}`);
  }
}
