import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync, writeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy, npyHeader, npyHeaderDict, npyStreamHeaderLength, NpyStream } from '../../src/dataset/index.js';
import { numpyLoad, parseNpy } from './npy-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'pricelevel-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ascii = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

describe('npy header', () => {
  it('lays out magic, version 1.0, a little-endian length and the dict numpy writes, padded to a multiple of 64 bytes', () => {
    const h = npyHeader('<f4', [2, 3]);
    expect([...h.subarray(0, 6)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
    expect([h[6], h[7]]).toEqual([1, 0]);
    // 10 preamble bytes + a 59-character dict + the newline do not fit 64: the header takes 128.
    expect(h.length).toBe(128);
    expect(h[8]! + 256 * h[9]!).toBe(118);
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    expect(ascii(h.subarray(10))).toBe(`${dict}${' '.repeat(118 - dict.length - 1)}\n`);
    // For this shape numpy.save writes the very same header bytes.
    const fromNumpy = spawnSync('python3', ['-c', "import io,sys,numpy; b=io.BytesIO(); numpy.save(b, numpy.zeros((2, 3), dtype='<f4')); sys.stdout.buffer.write(b.getvalue()[:128])"]);
    expect(fromNumpy.status).toBe(0);
    expect([...h]).toEqual([...fromNumpy.stdout]);
  });

  it('writes a one-dimensional shape as a tuple with a trailing comma, and a scalar as ()', () => {
    expect(npyHeaderDict('<i8', [7])).toBe("{'descr': '<i8', 'fortran_order': False, 'shape': (7,), }");
    expect(npyHeaderDict('<f4', [])).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
    expect(npyHeaderDict('<f4', [10, 60, 400])).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 60, 400), }");
  });

  it('grows to the next multiple of 64 when the dict does not fit, and pads to a requested length', () => {
    const long = npyHeader('<f4', [123456789012, 123456789012, 123456789012]);
    expect(long.length).toBe(128);
    const padded = npyHeader('<f4', [1, 60, 400], 256);
    expect(padded.length).toBe(256);
    expect(padded[8]! + 256 * padded[9]!).toBe(246);
    expect(ascii(padded.subarray(10)).trimEnd()).toBe(npyHeaderDict('<f4', [1, 60, 400]));
    expect(padded[255]).toBe(0x0a);
  });

  it('refuses bad dimensions, an unaligned length and a length the dict does not fit', () => {
    expect(() => npyHeader('<f4', [-1])).toThrow(/invalid dimension/);
    expect(() => npyHeader('<f4', [1.5])).toThrow(/invalid dimension/);
    expect(() => npyHeader('<f4', [1], 100)).toThrow(/multiple of 64/);
    expect(() => npyHeader('<f4', [123456789012, 123456789012, 123456789012], 64)).toThrow(/does not fit/);
  });

  it('reserves room for any first dimension up to 2^53 - 1', () => {
    const len = npyStreamHeaderLength('<f4', [60, 400]);
    expect(len % 64).toBe(0);
    expect(npyHeader('<f4', [Number.MAX_SAFE_INTEGER, 60, 400], len).length).toBe(len);
    expect(npyHeader('<f4', [0, 60, 400], len).length).toBe(len);
  });
});

describe('npy data', () => {
  it('encodes a whole array that the independent parser and numpy read back exactly', () => {
    const values = [0, 1, -1, 0.1, -2.5e-7, 3.4e38, 1e-40, 65504.123];
    const data = Float32Array.from(values);
    const bytes = encodeNpy([2, 4], data);
    const parsed = parseNpy(bytes);
    expect(parsed).toMatchObject({ major: 1, minor: 0, descr: '<f4', fortranOrder: false, shape: [2, 4] });
    expect(parsed.dataOffset % 64).toBe(0);
    expect(parsed.values).toEqual([...data]);
    const path = join(dir, 'whole.npy');
    writeFileSync(path, bytes);
    const np = numpyLoad(path);
    expect(np.dtype).toBe('<f4');
    expect(np.shape).toEqual([2, 4]);
    expect(np.values).toEqual([...data]);
  });

  it('encodes <i8 (epoch ms beyond 2^32) for numpy', () => {
    const ts = [1_704_067_200_000, 1_704_067_260_000, -5, 0];
    const path = join(dir, 'ts.npy');
    writeFileSync(path, encodeNpy([4], BigInt64Array.from(ts.map(BigInt))));
    expect(numpyLoad(path)).toEqual({ dtype: '<i8', shape: [4], values: ts });
    expect(parseNpy(readFileSync(path)).values).toEqual(ts);
  });

  it('refuses data that does not match the shape', () => {
    expect(() => encodeNpy([2, 3], new Float32Array(5))).toThrow(/holds 6 elements, data has 5/);
  });
});

describe('NpyStream', () => {
  it('streams rows after a reserved header and rewrites it in place with the final shape', () => {
    const stream = new NpyStream('<f4', [3, 2]);
    const path = join(dir, 'stream.npy');
    const fd = openSync(path, 'w');
    const first = stream.header();
    expect(first.length).toBe(stream.headerLength);
    writeSync(fd, first);
    // Before the rewrite the file is already a valid empty array.
    expect(parseNpy(readFileSync(path)).shape).toEqual([0, 3, 2]);
    const rows: number[] = [];
    for (let r = 0; r < 5; r++) {
      const row = Float32Array.from({ length: 6 }, (_, i) => r * 10 + i + 0.25);
      rows.push(...row);
      writeSync(fd, stream.append(row));
    }
    writeSync(fd, stream.append(Float32Array.from({ length: 12 }, (_, i) => -i)));
    rows.push(...Array.from({ length: 12 }, (_, i) => -i));
    expect(stream.rows).toBe(7);
    const last = stream.finalHeader();
    expect(last.length).toBe(first.length);
    writeSync(fd, last, 0, last.length, 0);
    closeSync(fd);

    const bytes = readFileSync(path);
    const parsed = parseNpy(bytes);
    expect(parsed.shape).toEqual([7, 3, 2]);
    expect(parsed.dataOffset).toBe(stream.headerLength);
    expect(parsed.values).toEqual(rows);
    expect(numpyLoad(path)).toEqual({ dtype: '<f4', shape: [7, 3, 2], values: rows });
  });

  it('refuses partial rows and the wrong element type', () => {
    const stream = new NpyStream('<f4', [4]);
    expect(() => stream.append(new Float32Array(6))).toThrow(/not whole rows of 4/);
    expect(() => stream.append(new BigInt64Array(4))).toThrow(/<i8 data for a <f4 array/);
    expect(stream.rows).toBe(0);
  });
});
