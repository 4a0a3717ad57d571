import {
  BookSnapshot, Candle, FeatureUpdate, GetCandlesRequest, GetCandlesResponse, GetFeaturesRequest, GetFeaturesResponse, GetOrderBookRequest,
  ListInstrumentsRequest, ListInstrumentsResponse, WatchCandlesRequest, WatchFeaturesRequest, type DeepPartial, type MarketDataServiceClient,
} from '@pricelevel/contracts';
import type { CallContext, RpcOptions } from './call-context.js';
import { callServerStream } from './server-stream.js';
import { callUnary } from './unary.js';

/**
 * MarketDataService: requests are partial messages (unset fields take their proto defaults), responses
 * the generated message types.
 */
export interface MarketData {
  getCandles(request: DeepPartial<GetCandlesRequest>, options?: RpcOptions): Promise<GetCandlesResponse>;
  watchCandles(request: DeepPartial<WatchCandlesRequest>, options?: RpcOptions): AsyncIterable<Candle>;
  getFeatures(request: DeepPartial<GetFeaturesRequest>, options?: RpcOptions): Promise<GetFeaturesResponse>;
  watchFeatures(request: DeepPartial<WatchFeaturesRequest>, options?: RpcOptions): AsyncIterable<FeatureUpdate>;
  listInstruments(request?: DeepPartial<ListInstrumentsRequest>, options?: RpcOptions): Promise<ListInstrumentsResponse>;
  getOrderBook(request: DeepPartial<GetOrderBookRequest>, options?: RpcOptions): Promise<BookSnapshot>;
}

export function marketDataApi(client: MarketDataServiceClient, ctx: CallContext): MarketData {
  return {
    getCandles: (req, o) => callUnary(ctx, client.getCandles.bind(client), GetCandlesRequest.fromPartial(req), o),
    watchCandles: (req, o) => callServerStream(ctx, client.watchCandles.bind(client), WatchCandlesRequest.fromPartial(req), o),
    getFeatures: (req, o) => callUnary(ctx, client.getFeatures.bind(client), GetFeaturesRequest.fromPartial(req), o),
    watchFeatures: (req, o) => callServerStream(ctx, client.watchFeatures.bind(client), WatchFeaturesRequest.fromPartial(req), o),
    listInstruments: (req = {}, o) => callUnary(ctx, client.listInstruments.bind(client), ListInstrumentsRequest.fromPartial(req), o),
    getOrderBook: (req, o) => callUnary(ctx, client.getOrderBook.bind(client), GetOrderBookRequest.fromPartial(req), o),
  };
}
