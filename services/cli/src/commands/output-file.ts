import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * A file written under `<path>.partial` and renamed to its name only when complete, so an
 * interrupted or failed export never leaves a truncated file where a good one is expected.
 */
export class OutputFile {
  readonly partialPath: string;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {
    this.partialPath = `${path}.partial`;
  }

  static async create(target: string): Promise<OutputFile> {
    await mkdir(path.dirname(path.resolve(target)), { recursive: true });
    return new OutputFile(target, await open(`${target}.partial`, 'w'));
  }

  /** Appends after everything written so far. */
  async write(data: Uint8Array | string): Promise<void> {
    if (typeof data === 'string') await this.handle.write(data);
    else await this.handle.write(data);
  }

  /** Overwrites bytes at `position` (a header rewritten once the size is known). */
  async writeAt(data: Uint8Array, position: number): Promise<void> {
    await this.handle.write(data, 0, data.length, position);
  }

  async commit(): Promise<void> {
    await this.handle.close();
    await rename(this.partialPath, this.path);
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.partialPath, { force: true });
  }
}
