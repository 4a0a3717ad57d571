import {
  EvaluateLevelsRequest, EvaluateLevelsResponse, GetLevelHistoryRequest, GetLevelHistoryResponse, GetLevelsRequest, GetNearestLevelsRequest,
  GetNearestLevelsResponse, LevelSet, WatchLevelsRequest, type DeepPartial, type LevelServiceClient,
} from '@pricelevel/contracts';
import type { CallContext, RpcOptions } from './call-context.js';
import { callServerStream } from './server-stream.js';
import { callUnary } from './unary.js';

/** LevelService: requests are partial messages (unset fields take their proto defaults). */
export interface Levels {
  getLevels(request: DeepPartial<GetLevelsRequest>, options?: RpcOptions): Promise<LevelSet>;
  getNearestLevels(request: DeepPartial<GetNearestLevelsRequest>, options?: RpcOptions): Promise<GetNearestLevelsResponse>;
  watchLevels(request: DeepPartial<WatchLevelsRequest>, options?: RpcOptions): AsyncIterable<LevelSet>;
  getLevelHistory(request: DeepPartial<GetLevelHistoryRequest>, options?: RpcOptions): Promise<GetLevelHistoryResponse>;
  evaluateLevels(request: DeepPartial<EvaluateLevelsRequest>, options?: RpcOptions): Promise<EvaluateLevelsResponse>;
}

export function levelsApi(client: LevelServiceClient, ctx: CallContext): Levels {
  return {
    getLevels: (req, o) => callUnary(ctx, client.getLevels.bind(client), GetLevelsRequest.fromPartial(req), o),
    getNearestLevels: (req, o) => callUnary(ctx, client.getNearestLevels.bind(client), GetNearestLevelsRequest.fromPartial(req), o),
    watchLevels: (req, o) => callServerStream(ctx, client.watchLevels.bind(client), WatchLevelsRequest.fromPartial(req), o),
    getLevelHistory: (req, o) => callUnary(ctx, client.getLevelHistory.bind(client), GetLevelHistoryRequest.fromPartial(req), o),
    evaluateLevels: (req, o) => callUnary(ctx, client.evaluateLevels.bind(client), EvaluateLevelsRequest.fromPartial(req), o),
  };
}
