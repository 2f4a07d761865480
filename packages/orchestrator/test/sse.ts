import type { IncomingMessage } from 'node:http';

/** Calls `onFrame` with each complete Server-Sent Events frame (the text between blank lines) of `res`. */
export function onSseFrames(res: IncomingMessage, onFrame: (frame: string) => void): void {
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      onFrame(frame);
    }
  });
}
