// Splits a fragmented MP4 byte stream (ffmpeg's `-movflags frag_keyframe+empty_moov`) into its top-level boxes:
// the init segment (ftyp + moov) once, then one media fragment (moof + mdat) at a time, each starting at a key frame.
export interface Mp4Parts {
  onInit(init: Buffer): void;
  onFragment(fragment: Buffer): void;
}

/** Largest box accepted: a fragment is one group of pictures; anything bigger is a broken stream. */
const MAX_BOX = 32 * 1024 * 1024;

export class Mp4Splitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private head: Buffer[] = [];
  private moof?: Buffer;
  private inited = false;

  constructor(private readonly out: Mp4Parts) {}

  /** Throws on a box too large or too small to be real (the caller ends the stream). */
  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    let at = 0;
    while (buf.length - at >= 8) {
      let size = buf.readUInt32BE(at);
      let headLen = 8;
      if (size === 1) {
        if (buf.length - at < 16) break;
        size = Number(buf.readBigUInt64BE(at + 8));
        headLen = 16;
      }
      if (size < headLen || size > MAX_BOX) throw new Error(`MP4 box of ${size} bytes`);
      if (buf.length - at < size) break;
      this.box(buf.toString('latin1', at + 4, at + 8), buf.subarray(at, at + size));
      at += size;
    }
    const rest = buf.subarray(at);
    this.pending = rest.length ? [Buffer.from(rest)] : [];
    this.pendingBytes = rest.length;
  }

  private box(type: string, data: Buffer): void {
    if (!this.inited) {
      this.head.push(Buffer.from(data));
      if (type === 'moov') {
        this.inited = true;
        this.out.onInit(Buffer.concat(this.head));
        this.head = [];
      }
      return;
    }
    if (type === 'moof') this.moof = Buffer.from(data);
    else if (type === 'mdat' && this.moof) {
      this.out.onFragment(Buffer.concat([this.moof, data]));
      this.moof = undefined;
    }
  }
}
