import { WebSocket, type ClientOptions } from 'ws';
import { waitFor } from './fixtures.js';

export interface WsTestClient {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<number>;
  send(msg: unknown): void;
  /** The next message not read yet, in arrival order. */
  next(): Promise<Record<string, unknown>>;
}

/** Opens a WebSocket to the gateway; `opened` collects sockets for the test's teardown. */
export async function connectWs(port: number, opened: WebSocket[], path = '/ws', options?: ClientOptions): Promise<WsTestClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, options);
  opened.push(ws);
  const messages: Record<string, unknown>[] = [];
  let read = 0;
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    async next() {
      await waitFor(() => messages.length > read, 'a ws message');
      return messages[read++] as Record<string, unknown>;
    },
  };
}
