import { afterEach, beforeEach } from 'vitest';
import type { WebSocket } from 'ws';
import { type Harness, startGateway } from './fixtures.js';

/**
 * A fresh gateway for every test of the file, handed to `set`; returns the list the test puts its
 * WebSockets in. After each test the sockets are terminated and the gateway stopped.
 */
export function gatewayPerTest(set: (h: Harness) => void): WebSocket[] {
  const sockets: WebSocket[] = [];
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startGateway();
    set(current);
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await current?.gateway.stop();
  });
  return sockets;
}
