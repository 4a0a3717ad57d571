export { OrderFlowEngine, type OrderFlowDropped } from './order-flow-engine.js';
export {
  CASCADE_END_FRACTION,
  CASCADE_HALF_LIFE_S,
  DEFAULT_FLOW_INTERVALS,
  FOOTPRINT_MULTIPLIERS,
  MAX_OPEN_SECONDS,
  MIN_HISTORY_S,
  type OrderFlowOptions,
} from './flow-options.js';
export { compareLiquidations, compareTrades } from './input-order.js';
export {
  ORDER_FLOW_FEATURE_TABLE,
  orderFlowProtoName,
  orderFlowTableMarkdown,
  type OrderFlowFeatureName,
  type OrderFlowFeatureRow,
} from './flow-feature-table.js';
