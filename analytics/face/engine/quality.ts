// How usable a face crop is for recognition: its size and its sharpness — the spread of the Laplacian of the
// grey face at a fixed size, relative to the face's contrast, so neither the face's size nor its lighting moves it.
import sharp from 'sharp';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Box grown by `margin` of its size on each side and clipped to the image. */
export function padBox(box: Box, imgW: number, imgH: number, margin = 0.25): Box {
  const x = Math.max(0, Math.floor(box.x - box.width * margin));
  const y = Math.max(0, Math.floor(box.y - box.height * margin));
  const r = Math.min(imgW, Math.ceil(box.x + box.width * (1 + margin)));
  const b = Math.min(imgH, Math.ceil(box.y + box.height * (1 + margin)));
  return { x, y, width: Math.max(1, r - x), height: Math.max(1, b - y) };
}

const LAPLACIAN = { width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 };

/** Standard deviation of the Laplacian over the face (tight box, 112×112 grey) as a percentage of the grey's. */
export async function sharpness(rgb: Uint8Array, width: number, height: number, box: Box): Promise<number> {
  const b = padBox(box, width, height, 0);
  // sharp's stats() describes the input, not the result of the pipeline: compute the spread here.
  const grey = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .extract({ left: b.x, top: b.y, width: b.width, height: b.height })
    .resize(112, 112, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
  const lap = await sharp(grey, { raw: { width: 112, height: 112, channels: 1 } })
    .convolve(LAPLACIAN)
    .extractChannel(0)
    .raw()
    .toBuffer();
  return (100 * stdev(lap)) / Math.max(stdev(grey), 1);
}

function stdev(px: Uint8Array): number {
  let sum = 0;
  let sq = 0;
  for (const v of px) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / px.length;
  return Math.sqrt(Math.max(0, sq / px.length - mean * mean));
}

/** JPEG of the face with some margin, for evidence and the audit trail. */
export async function cropJpeg(rgb: Uint8Array, width: number, height: number, box: Box): Promise<Buffer> {
  const b = padBox(box, width, height);
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .extract({ left: b.x, top: b.y, width: b.width, height: b.height })
    .jpeg({ quality: 88 })
    .toBuffer();
}
