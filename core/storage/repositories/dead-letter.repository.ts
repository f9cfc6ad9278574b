import type { Sql } from '../sql.ts';

export interface DeadLetterRow {
  id: number;
  deviceId: string | null;
  topic: string;
  reason: string;
  detail: string;
  seq: number | null;
  raw: string;
  rawBytes: number;
  receivedAt: Date;
}

export class DeadLetterRepository {
  constructor(private readonly sql: Sql) {}

  async list(q: { deviceId?: string; limit: number; offset: number }): Promise<DeadLetterRow[]> {
    const { rows } = await this.sql.query<DeadLetterRow>(
      `select id, device_id as "deviceId", topic, reason, detail, seq, raw, raw_bytes as "rawBytes",
         received_at as "receivedAt"
       from dead_letters where ($1::text is null or device_id = $1)
       order by id desc limit $2 offset $3`,
      [q.deviceId ?? null, q.limit, q.offset],
    );
    return rows;
  }
}
