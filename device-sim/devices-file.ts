import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DeviceCredentials } from './fleet.ts';
import { DEVICE_ID_PATTERN } from './protocol.ts';

/** devices.json as the platform's provisioning issues it: `[{"id": "trk-000001", "secret": "..."}]`. */
const DevicesFile = z
  .array(z.object({ id: z.string().regex(DEVICE_ID_PATTERN), secret: z.string().min(1) }).loose())
  .min(1);

export async function readDevicesFile(path: string): Promise<DeviceCredentials[]> {
  const text = await readFile(path, 'utf8');
  const parsed = DevicesFile.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${path}: not a list of {id, secret}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.map(({ id, secret }) => ({ id, secret }));
}
