/**
 * Where photo bytes live (PHOTO_STORE_URL): the data folder by default, or an S3-compatible
 * bucket. Keys are the platform's own (`<sampleId>/<photoId>`), never a name from a client.
 */
export interface PhotoStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes, or undefined when the key holds nothing. */
  get(key: string): Promise<Buffer | undefined>;
  /** For /readyz and the start: can we write? */
  check(): Promise<void>;
}
