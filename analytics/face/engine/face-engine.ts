// One thread's face pipeline: decode → detect (SSD MobileNet; for door captures, which are face-sized already, the
// tiny detector on a shrunk input, and SSD only when that finds nothing) → 68 landmarks → aligned 128-d descriptor,
// with size, sharpness and an optional crop per face. Models come from face-api's own `model/` folder on disk.
import { loadBackend, MODEL_DIR, type BackendName, type LoadedBackend } from './backend.ts';
import { decodeRgb } from './decode.ts';
import { cropJpeg, sharpness, type Box } from './quality.ts';

export interface EngineOptions {
  backends?: readonly BackendName[];
  /** Lowest detector score that counts as a face. */
  minConfidence?: number;
  /** Longest image side fed to the detector; larger images are scaled down first. */
  maxSide?: number;
  /**
   * Input size of the tiny detector used for door captures (a multiple of 32). 160 px found the most faces of the
   * sizes tried on the evaluation and fixture photos (224 px missed 17 % of the evaluation set's faces, 320 and 416 more).
   */
  doorInputSize?: number;
}

export interface AnalyseOptions {
  crops?: boolean;
  /**
   * A door capture: one face filling much of the picture, found with the tiny detector on a shrunk input; when that
   * finds no face, SSD looks again, so the fast path never loses a face SSD would have found.
   */
  door?: boolean;
}

export interface AnalysedFace {
  /** In the original image's pixels. */
  box: Box;
  score: number;
  /** Sharpness of the face (see quality.ts). */
  sharpness: number;
  descriptor: Float32Array;
  crop?: Uint8Array;
}

export interface EngineInfo {
  backend: BackendName;
  simd?: boolean;
  skipped: LoadedBackend['skipped'];
  tfVersion: string;
}

export class FaceEngine {
  private constructor(
    private readonly loaded: LoadedBackend,
    private readonly opts: Required<Pick<EngineOptions, 'minConfidence' | 'maxSide' | 'doorInputSize'>>,
  ) {}

  static async create(opts: EngineOptions = {}): Promise<FaceEngine> {
    const loaded = await loadBackend(opts.backends);
    const { nets } = loaded.faceapi;
    await nets.ssdMobilenetv1.loadFromDisk(MODEL_DIR);
    await nets.faceLandmark68Net.loadFromDisk(MODEL_DIR);
    await nets.faceRecognitionNet.loadFromDisk(MODEL_DIR);
    await nets.tinyFaceDetector.loadFromDisk(MODEL_DIR);
    return new FaceEngine(loaded, {
      minConfidence: opts.minConfidence ?? 0.5,
      maxSide: opts.maxSide ?? 1920,
      doorInputSize: opts.doorInputSize ?? 160,
    });
  }

  get info(): EngineInfo {
    const { backend, simd, skipped, tf } = this.loaded;
    return { backend, simd, skipped, tfVersion: tf.version_core };
  }

  /** Every face in the image, largest first. Throws ImageDecodeError for bytes that are not an image. */
  async analyse(image: Uint8Array, how: AnalyseOptions = {}): Promise<AnalysedFace[]> {
    const withCrops = how.crops ?? false;
    const { faceapi, tf } = this.loaded;
    const rgb = await decodeRgb(image, this.opts.maxSide);
    const input = tf.tensor3d(rgb.data, [rgb.height, rgb.width, 3], 'int32');
    let results;
    try {
      const ssd = new faceapi.SsdMobilenetv1Options({ minConfidence: this.opts.minConfidence, maxResults: 50 });
      // The bundled typings know only their own Tensor class; the runtime object is the same.
      const describe = (options: typeof ssd | InstanceType<typeof faceapi.TinyFaceDetectorOptions>) =>
        faceapi
          .detectAllFaces(input as never, options)
          .withFaceLandmarks()
          .withFaceDescriptors();
      results = how.door
        ? await describe(
            new faceapi.TinyFaceDetectorOptions({ inputSize: this.opts.doorInputSize, scoreThreshold: this.opts.minConfidence }),
          )
        : [];
      if (results.length === 0) results = await describe(ssd);
    } finally {
      input.dispose();
    }
    const faces: AnalysedFace[] = [];
    for (const r of results) {
      const b = r.detection.box;
      const box = { x: b.x, y: b.y, width: b.width, height: b.height };
      faces.push({
        box: { x: box.x * rgb.scale, y: box.y * rgb.scale, width: box.width * rgb.scale, height: box.height * rgb.scale },
        score: r.detection.score,
        sharpness: await sharpness(rgb.data, rgb.width, rgb.height, box),
        descriptor: r.descriptor,
        crop: withCrops ? new Uint8Array(await cropJpeg(rgb.data, rgb.width, rgb.height, box)) : undefined,
      });
    }
    return faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  }
}
