import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP relay in front of a gateway: lets a test cut every open connection (as a network
 * failure would), refuse new ones for a while, and move the relay to another gateway (a replica).
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** While true, new connections are cut at once. */
  refusing = false;
  port = 0;

  constructor(public targetPort: number) {
    this.server = createServer((client) => {
      if (this.refusing) return void client.destroy();
      const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.port = (this.server.address() as AddressInfo).port);
  }

  /** Cuts every relayed connection (both ends), without a WebSocket close handshake. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Stops relaying on every open connection without closing it: a network that silently died. */
  stallAll(): void {
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  get connections(): number {
    return this.sockets.size / 2;
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
