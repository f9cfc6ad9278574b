import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { PhotoStore } from './photo-store.ts';

/** Photos under a folder (DATA_DIR/photos): written to a temporary name, then renamed, so a reader never sees half a file. */
export class FilePhotoStore implements PhotoStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const p = resolve(this.root, key);
    // Keys are ours, but a store never writes outside its folder whatever it is given.
    if (!p.startsWith(this.root + sep)) throw new Error(`photo key outside the store: ${key}`);
    return p;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    const tmp = `${p}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, p);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeFile(join(this.root, '.check'), '');
  }
}
