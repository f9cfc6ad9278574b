/**
 * What an uploaded file really is, from its first bytes (its "magic number"), never from
 * the name or the Content-Type the client sent: a photo store that trusted those would
 * serve back whatever an attacker uploaded as an image. Only the formats phones and
 * browsers produce and every browser shows are accepted (HEIC is not shown by most
 * browsers, so iPhones' upload dialog converts it to JPEG).
 */
export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';

export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const at = (offset: number, ...sig: number[]) => sig.every((b, i) => bytes[offset + i] === b);
  if (bytes.length >= 3 && at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (bytes.length >= 8 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  // RIFF....WEBP
  if (bytes.length >= 12 && at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  // GIF87a / GIF89a
  if (bytes.length >= 6 && at(0, 0x47, 0x49, 0x46, 0x38) && (at(4, 0x37, 0x61) || at(4, 0x39, 0x61)))
    return 'image/gif';
  return undefined;
}

export const IMAGE_EXTENSION: Record<ImageType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};
