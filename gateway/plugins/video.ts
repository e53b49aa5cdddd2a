// Camera video through the gateway: the shared ffmpeg feeds (one per camera watched), the viewer caps, the view
// tickets a <video> element opens by URL, and how to reach a camera's stream with its sealed credentials.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { CredentialCipher } from '../../core/credentials/credential-cipher.ts';
import { openCredentials, uriWithCredentials } from '../../core/credentials/camera-access.ts';
import type { CameraCredentials } from '../../core/credentials/credential-cipher.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { storedSecret } from '../auth/stored-secret.ts';
import { AlertClipsRepository } from '../../core/db/repositories/alert-clips.repository.ts';
import { DataFiles } from '../../core/files/data-files.ts';
import { ClipRecorder } from '../video/clip-recorder.ts';
import { FeedPool } from '../video/feed-pool.ts';
import { Mp4Feed } from '../video/mp4-feed.ts';
import { ViewerLimits } from '../video/viewer-limits.ts';
import { ViewTickets } from '../video/view-ticket.ts';

export interface StreamSource {
  cameraId: string;
  /** `mp4`: RTSP (or anything ffmpeg reads) served as fragmented MP4; `mjpeg`: an HTTP MJPEG stream passed on as it comes. */
  kind: 'mp4' | 'mjpeg';
  /** The camera's stream URI (without credentials). */
  uri: string;
  credentials?: CameraCredentials;
}

export interface VideoServices {
  pool: FeedPool;
  limits: ViewerLimits;
  tickets: ViewTickets;
  /** Writes event clips (also when CLIP_RECORDER is off, for clips asked for by hand; then no alert triggers it). */
  clips: ClipRecorder;
  files: DataFiles;
  /** The camera's stream and credentials; undefined when the camera has no stream URI. */
  source(cameraId: string): Promise<StreamSource | undefined>;
  /** The URI ffmpeg opens (credentials inside). */
  ffmpegUri(s: StreamSource): string;
}

declare module 'fastify' {
  interface FastifyInstance {
    video: VideoServices;
  }
}

export default fp(
  async (app: FastifyInstance) => {
    const { config, db, log } = app.ctx;
    const secret = config.jwtSecret ?? (await storedSecret(config.dataDir, 'jwt-secret')).value;
    const cipher = await CredentialCipher.fromConfig(config);
    const cameras = new CamerasRepository(db);
    const feedLog = log.child({ service: 'gateway', part: 'video' });
    const pool = new FeedPool(
      ({ uri }) => new Mp4Feed({ ffmpegPath: config.ffmpegPath, uri, log: feedLog, timeoutMs: config.liveStartTimeout }),
    );
    const video = {
      pool,
      limits: new ViewerLimits({ perCamera: config.liveViewersPerCamera, total: config.liveViewersTotal }),
      tickets: new ViewTickets(secret),
      async source(cameraId: string): Promise<StreamSource | undefined> {
        const cam = await cameras.get(cameraId);
        if (!cam?.streamUri) return undefined;
        const credentials = openCredentials(cipher, await cameras.sealedCredentials(cameraId));
        // An MJPEG stream over HTTP is passed on as it comes; everything else goes through ffmpeg.
        const kind = /^https?:/i.test(cam.streamUri) && !/\.(m3u8|flv)(\?|$)/i.test(cam.streamUri) ? 'mjpeg' : 'mp4';
        return { cameraId, kind, uri: cam.streamUri, credentials };
      },
      ffmpegUri: (s: StreamSource) => uriWithCredentials(s.uri, s.credentials),
    } as VideoServices;
    const files = new DataFiles(config.dataDir);
    const clips = new ClipRecorder({
      pool,
      async uriOf(cameraId) {
        const s = await video.source(cameraId);
        return s && video.ffmpegUri(s);
      },
      repo: new AlertClipsRepository(db),
      files,
      ffmpegPath: config.ffmpegPath,
      beforeMs: config.clipBefore,
      afterMs: config.clipAfter,
      startTimeoutMs: config.liveStartTimeout,
      log: feedLog,
    });
    video.clips = clips;
    video.files = files;
    app.decorate('video', video);
    let sweep: NodeJS.Timeout | undefined;
    if (config.clipRecorder) {
      // One gateway of the deployment records each alert's clips (a shared subscription); the rows' primary key
      // keeps a redelivered alert from recording twice.
      await app.ctx.bus.subscribe(
        'alert',
        async (a) => void clips.handle(a).catch((err) => feedLog.warn({ err }, 'event clips failed')),
        `clips-${config.liveChannel}`,
      );
      const expire = () => void clips.expire(config.clipRetention).catch((err) => feedLog.warn({ err }, 'clip retention sweep failed'));
      sweep = setInterval(expire, 3_600_000);
      sweep.unref();
      expire();
    }
    app.addHook('onClose', async () => {
      clearInterval(sweep);
      clips.close();
      pool.stopAll();
      await clips.settle();
    });
  },
  { name: 'video', fastify: '5.x', dependencies: ['auth'] },
);
