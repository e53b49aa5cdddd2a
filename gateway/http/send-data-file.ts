// The one way the API serves a stored file (door images, alert snapshots, face crops): a row's path goes through
// DataFiles, so only regular files under DATA_DIR (symlinks resolved) are ever sent, streamed with their size.
import type { FastifyReply } from 'fastify';
import type { DataFiles } from '../../core/files/data-files.ts';

export interface SendFileOptions {
  /** Cache-Control: 'private, max-age=3600' unless the file is sensitive enough for 'private, no-store'. */
  cache?: string;
  type?: string;
  /** Runs once the file is known to exist, before it is sent (the face audit records a view). */
  beforeSend?: () => Promise<void>;
}

/** Sends the file at `rel` (relative to DATA_DIR); 404 with `notFound` when there is none or it is outside DATA_DIR. */
export async function sendDataFile(
  reply: FastifyReply,
  files: DataFiles,
  rel: string | undefined,
  notFound: { error: string; message: string },
  o: SendFileOptions = {},
): Promise<FastifyReply> {
  const f = rel ? await files.open(rel) : undefined;
  if (!f) return reply.code(404).send(notFound);
  await o.beforeSend?.();
  return reply
    .type(o.type ?? 'image/jpeg')
    .header('content-length', f.size)
    .header('cache-control', o.cache ?? 'private, max-age=3600')
    .send(f.stream);
}
