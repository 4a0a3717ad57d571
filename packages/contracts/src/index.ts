export {
  Side, sideFromJSON, sideToJSON, InstrumentRef, PriceLevel, type MessageFns, type DeepPartial,
} from './gen/pricelevel/marketdata/v1/common.js';
export { Trade } from './gen/pricelevel/marketdata/v1/trade.js';
export { BookUpdate } from './gen/pricelevel/marketdata/v1/book.js';
export { Ticker } from './gen/pricelevel/marketdata/v1/ticker.js';
export {
  Liquidation, Completeness, completenessToJSON, PositionSide, positionSideToJSON,
} from './gen/pricelevel/marketdata/v1/liquidation.js';
export { Candle } from './gen/pricelevel/marketdata/v1/candle.js';
export { BookSnapshot, BookFeatures, FootprintLevel, OrderFlow } from './gen/pricelevel/marketdata/v1/features.js';
export { Level, LevelKind, LevelSet, LevelSource, levelKindToJSON, levelSourceToJSON } from './gen/pricelevel/marketdata/v1/levels.js';
export {
  LevelServiceService,
  LevelServiceClient,
  GetLevelsRequest,
  GetNearestLevelsRequest,
  GetNearestLevelsResponse,
  WatchLevelsRequest,
  GetLevelHistoryRequest,
  GetLevelHistoryResponse,
  EvaluateLevelsRequest,
  EvaluateLevelsResponse,
  EvaluationBucket,
  type LevelServiceServer,
} from './gen/pricelevel/api/v1/level_service.js';
export { QualityEvent, QualityKind, QualityMinute, qualityKindToJSON } from './gen/pricelevel/marketdata/v1/quality.js';
export {
  MarketDataServiceService,
  MarketDataServiceClient,
  GetCandlesRequest,
  GetCandlesResponse,
  CandleQuality,
  WatchCandlesRequest,
  GetFeaturesRequest,
  GetFeaturesResponse,
  WatchFeaturesRequest,
  FeatureUpdate,
  ListInstrumentsRequest,
  ListInstrumentsResponse,
  Instrument,
  GetOrderBookRequest,
  type MarketDataServiceServer,
} from './gen/pricelevel/api/v1/market_data_service.js';
export { DESCRIPTOR_SET_BASE64 } from './gen/descriptor-set.js';
export * from './topics.js';
export * from './intervals.js';
export * from './venues.js';
