import type { Channel, ChannelKind } from './channels.js';
import type { ClientRequest, GapMessage, ServerMessage, UpdatesByKind } from './messages.js';

/**
 * "subscribed": `resumed` when the gateway took `since` (the missed updates, or a gap, follow).
 * `epochChanged` when the numbering is not that of the updates passed on before (the gateway restarted
 * without its cache): what a subscriber built from them, such as candle versions, may no longer compare.
 */
export interface SubscribedEvent {
  type: 'subscribed';
  channel: string;
  epoch: string;
  seq: number;
  resumed: boolean;
  epochChanged: boolean;
}

/** The gateway refused or dropped the subscription (bad channel, too many subscriptions, …). */
export interface ChannelErrorEvent {
  type: 'error';
  channel: string;
  message: string;
}

/**
 * What a subscriber sees on one channel: updates, "subscribed" after every (re)subscription, gaps (the
 * gateway's, or numbers the client saw skipped) and errors.
 */
export type ChannelEvent<K extends ChannelKind = ChannelKind> = UpdatesByKind[K] | GapMessage | SubscribedEvent | ChannelErrorEvent;

/**
 * idle: not connected. subscribing: sent without `since`. resuming: sent with `since`. resubscribing: the
 * resume reached another epoch, so what it replays is dropped until the plain subscribe is answered.
 * Updates and gaps pass only when live: the gateway answers requests in order, so whatever precedes the
 * answer belongs to an earlier subscription.
 */
type Phase = 'idle' | 'subscribing' | 'resuming' | 'resubscribing' | 'live';

interface Tracked {
  channel: Channel;
  /** The last seq received (or current at subscription): what a reconnect resumes from. */
  lastSeq: number | undefined;
  /**
   * The numbering of the updates passed on (and of `lastSeq`); kept while resubscribing, so that the answer
   * can tell the subscriber that the numbering changed.
   */
  epoch: string | undefined;
  phase: Phase;
}

/** What to do with one server message: events for subscribers, and requests to send. */
export interface Reaction {
  events: ChannelEvent[];
  send: ClientRequest[];
}

/**
 * The WebSocket client's protocol state, without I/O: per channel the last seq received and its epoch,
 * what to send on (re)connect, and which messages to pass on. Requests are answered in order by the
 * gateway, which is what lets a resume that reached another epoch be corrected: everything between its
 * "subscribed" and the answer to the plain subscribe sent in return belongs to the wrong numbering.
 */
export class ResumeState {
  private readonly tracked = new Map<string, Tracked>();
  private connected = false;
  /** The epoch the current connection announced (in its first "subscribed"). */
  private connectionEpoch: string | undefined;

  /** Starts tracking a channel; the subscribe to send now, when connected. */
  add(channel: Channel): ClientRequest[] {
    if (this.tracked.has(channel.name)) return [];
    const t: Tracked = { channel, lastSeq: undefined, epoch: undefined, phase: 'idle' };
    this.tracked.set(channel.name, t);
    return this.connected ? [this.subscribeRequest(t)] : [];
  }

  /** Stops tracking; the unsubscribe to send now, when connected. */
  remove(name: string): ClientRequest[] {
    if (!this.tracked.delete(name)) return [];
    return this.connected ? [{ op: 'unsubscribe', channel: name }] : [];
  }

  has(name: string): boolean {
    return this.tracked.has(name);
  }

  /** The names of the tracked channels, in the order they were added. */
  names(): string[] {
    return [...this.tracked.keys()];
  }

  /** A connection opened: subscribe to every channel, resuming those whose numbering may still hold. */
  opened(): ClientRequest[] {
    this.connected = true;
    this.connectionEpoch = undefined;
    return [...this.tracked.values()].map((t) => this.subscribeRequest(t));
  }

  /** The connection is gone: positions are kept for the next one. */
  closed(): void {
    this.connected = false;
    for (const t of this.tracked.values()) t.phase = 'idle';
  }

  /** The position a reconnect resumes from. */
  position(name: string): { lastSeq: number | undefined; epoch: string | undefined } | undefined {
    const t = this.tracked.get(name);
    return t && { lastSeq: t.lastSeq, epoch: t.epoch };
  }

  receive(msg: ServerMessage): Reaction {
    const none: Reaction = { events: [], send: [] };
    if (msg.type === 'pong' || msg.type === 'unsubscribed') return none;
    if (msg.type === 'error') {
      const t = msg.channel === undefined ? undefined : this.tracked.get(msg.channel);
      return t ? { events: [{ type: 'error', channel: t.channel.name, message: msg.message }], send: [] } : none;
    }
    const t = this.tracked.get(msg.channel);
    if (!t || t.phase === 'idle') return none;
    if (msg.type === 'subscribed') return this.onSubscribed(t, msg.epoch, msg.seq);
    // Before the answer to this subscribe: the tail of an earlier subscription, or another numbering's replay.
    if (t.phase !== 'live') return none;
    if (msg.type === 'gap') return { events: [msg], send: [] };
    if (msg.snapshot) {
      t.lastSeq = Math.max(t.lastSeq ?? 0, msg.seq);
      return { events: [msg], send: [] };
    }
    const last = t.lastSeq;
    // A repeat (the gateway never sends one, but a replica handover could): already delivered.
    if (last !== undefined && msg.seq <= last) return none;
    t.lastSeq = msg.seq;
    // Numbers skipped on the way (the gateway did not see them): say so, as the gateway would on a resume.
    const skipped: GapMessage[] = last !== undefined && msg.seq > last + 1 ? [{ type: 'gap', channel: t.channel.name, from: last + 1, to: msg.seq - 1 }] : [];
    return { events: [...skipped, msg], send: [] };
  }

  private onSubscribed(t: Tracked, epoch: string, seq: number): Reaction {
    this.connectionEpoch = epoch;
    const name = t.channel.name;
    if (t.phase === 'resuming' && epoch !== t.epoch) {
      // Another numbering: `since` meant nothing here. Start over from the snapshot.
      t.phase = 'resubscribing';
      t.lastSeq = undefined;
      return { events: [], send: [{ op: 'subscribe', channel: name }] };
    }
    const resumed = t.phase === 'resuming';
    const epochChanged = t.epoch !== undefined && t.epoch !== epoch;
    t.phase = 'live';
    t.epoch = epoch;
    // Without `since` the snapshot (numbered `seq`) stands for everything up to now.
    if (!resumed) t.lastSeq = seq;
    return { events: [{ type: 'subscribed', channel: name, epoch, seq, resumed, epochChanged }], send: [] };
  }

  private subscribeRequest(t: Tracked): ClientRequest {
    const sameNumbering = t.epoch !== undefined && (this.connectionEpoch === undefined || this.connectionEpoch === t.epoch);
    if (t.lastSeq !== undefined && sameNumbering) {
      t.phase = 'resuming';
      return { op: 'subscribe', channel: t.channel.name, since: t.lastSeq };
    }
    t.phase = 'subscribing';
    if (!sameNumbering) t.lastSeq = undefined;
    return { op: 'subscribe', channel: t.channel.name };
  }
}
