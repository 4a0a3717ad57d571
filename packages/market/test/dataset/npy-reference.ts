import { spawnSync } from 'node:child_process';

/** A `.npy` file read back without the writer's code: DataView over the bytes, the dict by regex. */
export interface ParsedNpy {
  major: number;
  minor: number;
  headerLen: number;
  /** Offset of the first data byte. */
  dataOffset: number;
  dict: string;
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  values: number[];
}

export function parseNpy(bytes: Uint8Array): ParsedNpy {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  magic.forEach((b, i) => {
    if (view.getUint8(i) !== b) throw new Error(`bad magic byte ${i}`);
  });
  const major = view.getUint8(6);
  const minor = view.getUint8(7);
  const headerLen = view.getUint16(8, true);
  const dataOffset = 10 + headerLen;
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, dataOffset));
  if (!header.endsWith('\n')) throw new Error('header does not end with a newline');
  const dict = header.trimEnd();
  const m = /^\{'descr': '([<>|][a-z]\d+)', 'fortran_order': (True|False), 'shape': \(([\d, ]*)\), \}$/.exec(dict);
  if (!m) throw new Error(`unexpected header dict ${JSON.stringify(dict)}`);
  const shape = m[3]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const descr = m[1]!;
  const size = descr === '<f4' ? 4 : 8;
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength - dataOffset !== count * size) throw new Error(`data is ${bytes.byteLength - dataOffset} bytes, shape needs ${count * size}`);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = dataOffset + i * size;
    values.push(descr === '<f4' ? view.getFloat32(at, true) : Number(view.getBigInt64(at, true)));
  }
  return { major, minor, headerLen, dataOffset, dict, descr, fortranOrder: m[2] === 'True', shape, values };
}

/** numpy.load of a file: dtype, shape and the flattened values (no NaN in them: JSON has none). */
export function numpyLoad(path: string): { dtype: string; shape: number[]; values: number[] } {
  const script = [
    'import json, sys, numpy',
    'a = numpy.load(sys.argv[1])',
    'print(json.dumps({"dtype": a.dtype.str, "shape": list(a.shape), "values": a.ravel().tolist()}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`numpy.load failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as { dtype: string; shape: number[]; values: number[] };
}
