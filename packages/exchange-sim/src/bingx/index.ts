export { BingxSim, type BingxSimOptions, type BingxSimUrls, type BingxBookView, type BingxSimStats } from './bingx-sim.js';
export { BingxReplay, type BingxReplayOptions, type BingxReplayStats } from './bingx-replay.js';
export { BINGX_FAULT_KINDS, type BingxFault, type BingxFaultKind, type BingxAppliedFault } from './bingx-faults.js';
export { BINGX_MAX_TOPICS, BINGX_WS_PATH, BINGX_WS_ERR, type BingxPingOptions, type BingxServerStats, type FrameMode as BingxFrameMode } from './bingx-server.js';
export { bingxNative, bingxFlat } from './bingx-spec.js';
