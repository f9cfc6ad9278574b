import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhotoStore, FilePhotoStore, S3PhotoStore } from '../../core/storage/photos/index.ts';
import { S3StoreError } from '../../core/storage/photos/s3-photo-store.ts';
import { startTestS3, type TestS3 } from '../support/s3-test-server.ts';

const KEYS = { accessKeyId: 'AKIDTESTPHOTOS', secretAccessKey: 'test/secret+key', region: 'eu-west-3' };
let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['media'], ...KEYS });
});
afterAll(async () => {
  await s3?.close();
});

const env = (over: Record<string, string | undefined> = {}) => ({
  DATA_DIR: '/unused',
  PHOTO_STORE_URL: 's3://media/photos/test',
  PHOTO_S3_ENDPOINT: s3.endpoint,
  PHOTO_S3_REGION: KEYS.region,
  PHOTO_S3_ACCESS_KEY_ID: KEYS.accessKeyId,
  PHOTO_S3_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
  ...over,
});
const store = (over: Record<string, string | undefined> = {}) => createPhotoStore(env(over));
// Every byte value, so nothing is mangled as text on the way.
const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

describe('the S3-compatible photo store (a signing test server in-process)', () => {
  it('puts and gets a photo under the prefix, signed; the server verified each request', async () => {
    const photos = store();
    expect(photos).toBeInstanceOf(S3PhotoStore);
    await photos.put('SMP-26-000001/PH-1', bytes, 'image/jpeg');
    expect(s3.objects.get('media/photos/test/SMP-26-000001/PH-1')).toEqual({ bytes, contentType: 'image/jpeg' });
    expect(await photos.get('SMP-26-000001/PH-1')).toEqual(bytes);
    expect(s3.refused).toEqual([]);
  });

  it('a missing key reads as nothing', async () => {
    expect(await store().get('SMP-26-000001/none')).toBeUndefined();
  });

  it('keys with characters to encode sign and address alike', async () => {
    const photos = store();
    await photos.put('SMP 26/ph+1 (a)*~.png', bytes, 'image/png');
    expect(s3.objects.has('media/photos/test/SMP 26/ph+1 (a)*~.png')).toBe(true);
    expect(await photos.get('SMP 26/ph+1 (a)*~.png')).toEqual(bytes);
  });

  it('check writes a small .check object', async () => {
    await store().check();
    expect(s3.objects.get('media/photos/test/.check')?.bytes.toString()).toBe('ok');
  });

  it('a bucket without a prefix', async () => {
    await store({ PHOTO_STORE_URL: 's3://media' }).put('SMP-26-000002/PH-1', bytes, 'image/webp');
    expect(s3.objects.has('media/SMP-26-000002/PH-1')).toBe(true);
  });

  it('a wrong secret is refused by the server (the signature is really checked) and surfaces as an error', async () => {
    const wrong = store({ PHOTO_S3_SECRET_ACCESS_KEY: 'not-the-secret' });
    await expect(wrong.put('SMP-26-000003/PH-1', bytes, 'image/jpeg')).rejects.toMatchObject({
      name: 'S3StoreError',
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
    await expect(wrong.get('SMP-26-000001/PH-1')).rejects.toBeInstanceOf(S3StoreError);
    expect(s3.objects.has('media/photos/test/SMP-26-000003/PH-1')).toBe(false);
  });

  it('a body changed after signing is refused (the payload hash is signed)', async () => {
    const tampering: typeof fetch = (url, init) => fetch(url, { ...init, body: Buffer.from('other bytes') });
    const photos = new S3PhotoStore({
      url: 's3://media/photos/test',
      endpoint: s3.endpoint,
      ...KEYS,
      fetch: tampering,
    });
    await expect(photos.put('SMP-26-000004/PH-1', bytes, 'image/jpeg')).rejects.toMatchObject({
      status: 400,
      code: 'XAmzContentSHA256Mismatch',
    });
  });

  it('a missing bucket is an error on put, get and check, never "no photo"', async () => {
    const photos = store({ PHOTO_STORE_URL: 's3://elsewhere/p' });
    await expect(photos.put('a/b', bytes, 'image/jpeg')).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(photos.get('a/b')).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(photos.check()).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });

  it('refuses a key that could leave the prefix', async () => {
    await expect(store().put('../escape', bytes, 'image/jpeg')).rejects.toThrow('bad photo key');
    await expect(store().get('a//b')).rejects.toThrow('bad photo key');
  });
});

describe('createPhotoStore', () => {
  it('without PHOTO_STORE_URL: the folder DATA_DIR/photos', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'photos-'));
    try {
      const photos = createPhotoStore({ ...env({ PHOTO_STORE_URL: undefined }), DATA_DIR: dir });
      expect(photos).toBeInstanceOf(FilePhotoStore);
      await photos.put('SMP-1/PH-1', bytes, 'image/jpeg');
      expect(await readFile(join(dir, 'photos', 'SMP-1', 'PH-1'))).toEqual(bytes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an S3 URL without its endpoint or keys is refused at once', () => {
    expect(() => store({ PHOTO_S3_ENDPOINT: undefined })).toThrow('PHOTO_STORE_URL needs');
  });
});
