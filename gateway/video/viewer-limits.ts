// Caps on live viewers, per camera and in total (LIVE_VIEWERS_PER_CAMERA, LIVE_VIEWERS_TOTAL): a seat is taken
// before the camera is asked for anything, and given back when the viewer leaves.
export type Seat = { release(): void } | { refused: 'camera' | 'total' };

export class ViewerLimits {
  private readonly perCamera = new Map<string, number>();
  private total = 0;

  constructor(private readonly o: { perCamera: number; total: number }) {}

  /** Why one more viewer of the camera would be refused now, or undefined when there is a seat. */
  full(cameraId: string): 'camera' | 'total' | undefined {
    if (this.total >= this.o.total) return 'total';
    if ((this.perCamera.get(cameraId) ?? 0) >= this.o.perCamera) return 'camera';
    return undefined;
  }

  take(cameraId: string): Seat {
    const refused = this.full(cameraId);
    if (refused) return { refused };
    const n = this.perCamera.get(cameraId) ?? 0;
    this.perCamera.set(cameraId, n + 1);
    this.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.perCamera.get(cameraId) ?? 1) - 1;
        if (left > 0) this.perCamera.set(cameraId, left);
        else this.perCamera.delete(cameraId);
      },
    };
  }

  viewers(cameraId?: string): number {
    return cameraId === undefined ? this.total : (this.perCamera.get(cameraId) ?? 0);
  }
}

export function refusalBody(why: 'camera' | 'total'): { error: string; message: string } {
  return {
    error: 'Too Many Requests',
    message:
      why === 'camera'
        ? 'this camera has as many live viewers as allowed (LIVE_VIEWERS_PER_CAMERA)'
        : 'the gateway has as many live viewers as allowed (LIVE_VIEWERS_TOTAL)',
  };
}
