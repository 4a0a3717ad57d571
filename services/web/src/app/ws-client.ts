import {
  backoffDelay, DEFAULT_BACKOFF, parseServerMessage, ResumeState, type Channel, type ChannelEvent, type ClientRequest, type ErrorMessage,
} from '@pricelevel/client/protocol';

/** What the page hears: events of the watched channels (after the resume logic), and errors about no channel. */
export type WsEvent = ChannelEvent | ErrorMessage;

export interface WsClientEvents {
  /** An update, gap, "subscribed" (saying whether the epoch changed) or error. */
  message(e: WsEvent): void;
  status(connected: boolean): void;
}

/**
 * The browser's WebSocket to the gateway: reconnects with capped, jittered backoff and resubscribes every
 * channel where it left off. The protocol logic is @pricelevel/client's ResumeState, the one the Node client
 * (PricelevelSocket) runs. Pings the server every 20 s so an idle proxy does not close it.
 */
export class WsClient {
  private readonly state = new ResumeState();
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ping: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** Connections opened so far (the first one included). */
  opens = 0;

  constructor(
    private readonly url: string,
    private readonly events: WsClientEvents,
  ) {}

  start(): void {
    this.connect();
  }

  watch(channel: Channel): void {
    this.sendAll(this.state.add(channel));
  }

  unwatch(channel: Channel): void {
    this.sendAll(this.state.remove(channel.name));
  }

  /** The last seq of each watched channel that has one (for display and tests). */
  seqs(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.state.names()) {
      const seq = this.state.position(name)?.lastSeq;
      if (seq !== undefined) out[name] = seq;
    }
    return out;
  }

  epochOf(channel: string): string | undefined {
    return this.state.position(channel)?.epoch;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.url);
    this.socket = ws;
    ws.onopen = () => {
      this.opens++;
      this.events.status(true);
      this.sendAll(this.state.opened());
      this.ping = setInterval(() => this.send({ op: 'ping' }), 20_000);
    };
    ws.onmessage = (ev: MessageEvent) => {
      this.attempt = 0;
      // Not a message of the protocol (nor a text frame): nothing the page could use.
      const msg = parseServerMessage(String(ev.data));
      if (!msg) return;
      if (msg.type === 'error' && msg.channel === undefined) return this.events.message(msg);
      const { events, send } = this.state.receive(msg);
      this.sendAll(send);
      for (const e of events) this.events.message(e);
    };
    // A failed connect fires error then close; close alone does the retry.
    ws.onerror = () => undefined;
    ws.onclose = () => {
      clearInterval(this.ping);
      if (this.socket !== ws) return;
      this.socket = undefined;
      this.state.closed();
      this.events.status(false);
      if (this.closed) return;
      this.timer = setTimeout(() => this.connect(), backoffDelay(this.attempt++, DEFAULT_BACKOFF, Math.random()));
    };
  }

  private sendAll(requests: ClientRequest[]): void {
    for (const r of requests) this.send(r);
  }

  private send(request: ClientRequest): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(request));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.ping);
    this.socket?.close();
  }
}
