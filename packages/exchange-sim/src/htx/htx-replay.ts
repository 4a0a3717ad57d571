/**
 * Replay of real captured HTX frames (fixtures/htx): a SUB on /ws gets, after its ack, every recorded
 * frame of that topic — the original gzip bytes where the capture kept them (ws_raw_gzip_frames), the
 * recorded text gzipped otherwise. On /feed, `market.btcusdt.mbp.150` replays the recorded incrementals
 * around the recorded REQ refresh: the ones before it on SUB, the refresh (with the client's id) on REQ,
 * then the rest. REST serves the recorded depth and kline bodies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pako from 'pako';
import type { HtxClient, HtxPath, HtxServer, HtxTopicHandler } from './htx-server.js';
import { restErrorText } from './htx-payloads.js';

interface Recorded {
  topic: string;
  bytes?: Uint8Array;
  text?: string;
}

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());

export class HtxReplaySource implements HtxTopicHandler {
  private readonly ws = new Map<string, Recorded[]>();
  private readonly mbpBefore: string[] = [];
  private readonly mbpAfter: string[] = [];
  private mbpRep: Record<string, unknown> | null = null;
  private readonly restBodies = new Map<string, string>();
  private server: HtxServer | null = null;
  readonly mbpTopic = 'market.btcusdt.mbp.150';

  constructor(
    fixturesDir: string,
    private readonly now: () => number,
  ) {
    const dir = join(fixturesDir, 'htx');
    const add = (r: Recorded) => {
      let list = this.ws.get(r.topic);
      if (!list) this.ws.set(r.topic, (list = []));
      list.push(r);
    };
    for (const l of lines(join(dir, 'ws_raw_gzip_frames.real.b64.jsonl'))) {
      const bytes = Buffer.from((JSON.parse(l) as { gzip_b64: string }).gzip_b64, 'base64');
      const msg = JSON.parse(pako.ungzip(bytes, { to: 'string' })) as { ch?: string };
      if (typeof msg.ch === 'string') add({ topic: msg.ch, bytes: new Uint8Array(bytes) });
    }
    for (const f of ['ws_trade_detail_btcusdt.real.jsonl', 'ws_kline.real.jsonl', 'ws_bbo_detail_depthstep1.real.jsonl']) {
      for (const text of lines(join(dir, f))) add({ topic: (JSON.parse(text) as { ch: string }).ch, text });
    }
    for (const text of lines(join(dir, 'htx_spot_btcusdt_mbp150_sequence.real-trimmed.jsonl'))) {
      const msg = JSON.parse(text) as Record<string, unknown>;
      if (msg.rep) this.mbpRep = msg;
      else (this.mbpRep ? this.mbpAfter : this.mbpBefore).push(text);
    }
    this.restBodies.set('/market/depth', readFileSync(join(dir, 'rest_market_depth.real.json'), 'utf8').trim());
    this.restBodies.set('/market/history/kline', readFileSync(join(dir, 'rest_market_history_kline.likely-real.json'), 'utf8').trim());
  }

  attach(server: HtxServer): void {
    this.server = server;
  }

  /** Topics with recorded data, per path. */
  topics(): { ws: string[]; feed: string[] } {
    return { ws: [...this.ws.keys()], feed: [this.mbpTopic] };
  }

  validate(path: HtxPath, topic: string): string | null {
    const ok = path === 'ws' ? this.ws.has(topic) : topic === this.mbpTopic;
    return ok ? null : `invalid topic ${topic}`;
  }

  onSubscribe(client: HtxClient, topic: string): void {
    const s = this.server!;
    if (client.path === 'feed') {
      for (const t of this.mbpBefore) s.sendText(client, t);
      return;
    }
    for (const r of this.ws.get(topic) ?? []) {
      if (r.bytes) s.sendBytes(client, r.bytes);
      else s.sendText(client, r.text!);
    }
  }

  request(path: HtxPath, topic: string, id: unknown): { text: string } | { error: string } {
    if (path !== 'feed' || topic !== this.mbpTopic || !this.mbpRep) return { error: `invalid topic ${topic}` };
    // The incrementals recorded after the refresh follow its answer.
    setImmediate(() => {
      for (const t of this.mbpAfter) this.server?.publish(this.mbpTopic, t);
    });
    return { text: JSON.stringify({ ...this.mbpRep, id }) };
  }

  rest(path: string, q: URLSearchParams): { status: number; text: string } {
    const body = this.restBodies.get(path);
    if (!body) return { status: 404, text: restErrorText('not-found', `no recorded body for ${path}`) };
    if (q.get('symbol') !== 'btcusdt') return { status: 200, text: restErrorText('invalid-parameter', 'invalid symbol') };
    void this.now;
    return { status: 200, text: body };
  }
}
