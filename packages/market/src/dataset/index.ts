export * from './feature-csv.js';
export * from './npy.js';
export * from './sequence-sidecar.js';
export * from './sequence-tensor.js';
