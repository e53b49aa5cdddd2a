// The live connection (socket.io, token in the handshake), shared by the pages; typed by core/socket's event map.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../core/socket/events.ts';
import { session } from './api.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;

export function liveSocket(): LiveSocket {
  if (!socket) {
    const s: LiveSocket = io({
      path: '/socket.io',
      auth: (cb) => cb({ token: session()?.token ?? '' }),
      transports: ['websocket', 'polling'],
    });
    // The server ends a connection when its token expires or the gateway restarts: try again; a refused token
    // then ends the session (connect_error "unauthorized", handled by the shell).
    s.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
    });
    socket = s;
  }
  return socket;
}

export function closeLive(): void {
  socket?.close();
  socket = undefined;
}

/** Listens to an event until the returned function is called (when a page is left). */
export function onLive<E extends keyof ServerToClientEvents>(event: E, fn: ServerToClientEvents[E]): () => void {
  const s = liveSocket();
  s.on(event, fn as never);
  return () => void s.off(event, fn as never);
}
