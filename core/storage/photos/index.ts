import { join } from 'node:path';
import type { Env } from '../../config/env.ts';
import { FilePhotoStore } from './file-photo-store.ts';
import type { PhotoStore } from './photo-store.ts';
import { S3PhotoStore } from './s3-photo-store.ts';

export type { PhotoStore } from './photo-store.ts';
export { FilePhotoStore } from './file-photo-store.ts';
export { S3PhotoStore } from './s3-photo-store.ts';

type PhotoEnv = Pick<
  Env,
  | 'DATA_DIR'
  | 'PHOTO_STORE_URL'
  | 'PHOTO_S3_ENDPOINT'
  | 'PHOTO_S3_REGION'
  | 'PHOTO_S3_ACCESS_KEY_ID'
  | 'PHOTO_S3_SECRET_ACCESS_KEY'
>;

/** The store PHOTO_STORE_URL names: unset, the folder DATA_DIR/photos; s3://bucket/prefix, that bucket. */
export function createPhotoStore(env: PhotoEnv): PhotoStore {
  if (env.PHOTO_STORE_URL === undefined) return new FilePhotoStore(join(env.DATA_DIR, 'photos'));
  const { PHOTO_S3_ENDPOINT: endpoint, PHOTO_S3_ACCESS_KEY_ID: id, PHOTO_S3_SECRET_ACCESS_KEY: secret } = env;
  // loadEnv refuses this combination already; a caller building env by hand gets the same message.
  if (!endpoint || !id || !secret)
    throw new Error('PHOTO_STORE_URL needs PHOTO_S3_ENDPOINT, PHOTO_S3_ACCESS_KEY_ID and PHOTO_S3_SECRET_ACCESS_KEY');
  return new S3PhotoStore({
    url: env.PHOTO_STORE_URL,
    endpoint,
    region: env.PHOTO_S3_REGION,
    accessKeyId: id,
    secretAccessKey: secret,
  });
}
