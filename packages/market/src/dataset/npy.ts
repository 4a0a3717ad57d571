/**
 * NumPy `.npy` format version 1.0 (https://numpy.org/devdocs/reference/generated/numpy.lib.format.html):
 * the magic `\x93NUMPY`, the version bytes 1 0, a little-endian uint16 header length, then an ASCII
 * Python dict literal padded with spaces and ended by `\n` so the data starts at a multiple of 64 bytes,
 * then the raw C-order data. Pure: produces bytes, the caller writes them.
 */

export type NpyDtype = '<f4' | '<i8';

export type NpyData = Float32Array | BigInt64Array;

/** The data of a `.npy` file starts at a multiple of this many bytes. */
export const NPY_ALIGNMENT = 64;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const PREAMBLE = MAGIC.length + 2 + 2; // magic, version, header length
const MAX_HEADER_LEN = 0xffff; // uint16 of version 1.0
const ITEM_SIZE: Record<NpyDtype, number> = { '<f4': 4, '<i8': 8 };
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes per element of a dtype. */
export function npyItemSize(dtype: NpyDtype): number {
  return ITEM_SIZE[dtype];
}

/** The header dict exactly as numpy writes it: `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`. */
export function npyHeaderDict(dtype: NpyDtype, shape: readonly number[]): string {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`npy: invalid dimension ${d}`);
  }
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${dims}, }`;
}

/**
 * The complete header (preamble + padded dict). Without `length` it is the shortest that keeps the data
 * aligned; with `length` (a multiple of 64) the dict is padded with spaces up to exactly that length,
 * which is how a header reserved for a streaming write is rewritten in place once the shape is known.
 */
export function npyHeader(dtype: NpyDtype, shape: readonly number[], length?: number): Uint8Array {
  const dict = npyHeaderDict(dtype, shape);
  const minimal = PREAMBLE + dict.length + 1; // + the closing newline
  const total = length ?? Math.ceil(minimal / NPY_ALIGNMENT) * NPY_ALIGNMENT;
  if (total % NPY_ALIGNMENT !== 0) throw new RangeError(`npy: header length ${total} is not a multiple of ${NPY_ALIGNMENT}`);
  if (total < minimal) throw new RangeError(`npy: shape (${shape.join(', ')}) does not fit a ${total}-byte header`);
  const headerLen = total - PREAMBLE;
  if (headerLen > MAX_HEADER_LEN) throw new RangeError(`npy: header of ${headerLen} bytes exceeds version 1.0's ${MAX_HEADER_LEN}`);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  out[8] = headerLen & 0xff;
  out[9] = headerLen >>> 8;
  const text = dict + ' '.repeat(total - minimal) + '\n';
  for (let i = 0; i < text.length; i++) out[PREAMBLE + i] = text.charCodeAt(i);
  return out;
}

/**
 * Header length to reserve for an array whose first dimension is not known yet: long enough for any
 * first dimension up to 2^53 - 1 with the given trailing dimensions. numpy parses the dict with
 * `ast.literal_eval` and ignores the spaces before the final newline, so a smaller final shape padded
 * to this length is as valid as a header written at the shortest length.
 */
export function npyStreamHeaderLength(dtype: NpyDtype, rowShape: readonly number[]): number {
  return npyHeader(dtype, [Number.MAX_SAFE_INTEGER, ...rowShape]).length;
}

/** The data as little-endian bytes (a view when the host is little-endian, a swapped copy otherwise). */
export function npyDataBytes(data: NpyData): Uint8Array {
  if (HOST_LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}

function dtypeOf(data: NpyData): NpyDtype {
  return data instanceof Float32Array ? '<f4' : '<i8';
}

/** A whole `.npy` file in memory (for small arrays; large ones go through NpyStream). */
export function encodeNpy(shape: readonly number[], data: NpyData): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npy: shape (${shape.join(', ')}) holds ${count} elements, data has ${data.length}`);
  const header = npyHeader(dtypeOf(data), shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(npyDataBytes(data), header.length);
  return out;
}

/**
 * A `.npy` file written front to back without knowing how many rows it will get: write `header()`
 * first (reserved at npyStreamHeaderLength, shape with 0 rows), then the bytes of `rows()` as data
 * arrives, and finally `finalHeader()` over the first `headerLength` bytes of the file.
 * A row is one element of the first dimension (e.g. one sample of shape rowShape).
 */
export class NpyStream {
  readonly headerLength: number;
  readonly rowSize: number;
  #rows = 0;

  constructor(
    readonly dtype: NpyDtype,
    readonly rowShape: readonly number[],
  ) {
    this.headerLength = npyStreamHeaderLength(dtype, rowShape);
    this.rowSize = rowShape.reduce((a, b) => a * b, 1);
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.#rows;
  }

  /** The shape the file has now. */
  get shape(): number[] {
    return [this.#rows, ...this.rowShape];
  }

  /** The reserved header, valid as it stands (0 rows) until it is rewritten. */
  header(): Uint8Array {
    return npyHeader(this.dtype, [0, ...this.rowShape], this.headerLength);
  }

  /** Bytes of whole rows to append after what was written so far. */
  append(data: NpyData): Uint8Array {
    if (dtypeOf(data) !== this.dtype) throw new TypeError(`npy: ${dtypeOf(data)} data for a ${this.dtype} array`);
    if (this.rowSize === 0 ? data.length !== 0 : data.length % this.rowSize !== 0) {
      throw new RangeError(`npy: ${data.length} elements are not whole rows of ${this.rowSize}`);
    }
    if (this.rowSize > 0) this.#rows += data.length / this.rowSize;
    return npyDataBytes(data);
  }

  /** The header with the final shape, exactly headerLength bytes, to write at offset 0. */
  finalHeader(): Uint8Array {
    return npyHeader(this.dtype, this.shape, this.headerLength);
  }
}
