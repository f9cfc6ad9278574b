import type { Sql } from '../sql.ts';

export interface SamplePhotoRow {
  id: string;
  sampleId: string;
  linkId: string | null;
  uploadedBy: string;
  contentType: string;
  bytes: number;
  sha256: string;
  storageKey: string;
  createdAt: Date;
}

const COLUMNS = `id, sample_id as "sampleId", link_id as "linkId", uploaded_by as "uploadedBy", content_type as "contentType",
  bytes, sha256, storage_key as "storageKey", created_at as "createdAt"`;

/** Photo facts (sample_photos); the bytes are in the photo store under `storageKey`. */
export class SamplePhotoRepository {
  constructor(private readonly sql: Sql) {}

  async insert(p: SamplePhotoRow): Promise<void> {
    await this.sql.query(
      `insert into sample_photos (id, sample_id, link_id, uploaded_by, content_type, bytes, sha256, storage_key, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [p.id, p.sampleId, p.linkId, p.uploadedBy, p.contentType, p.bytes, p.sha256, p.storageKey, p.createdAt],
    );
  }

  async ofSample(sampleId: string): Promise<SamplePhotoRow[]> {
    const { rows } = await this.sql.query<SamplePhotoRow>(
      `select ${COLUMNS} from sample_photos where sample_id = $1 order by created_at, id`,
      [sampleId],
    );
    return rows;
  }

  /** The photo, only when it belongs to the sample (a link never reaches another sample's). */
  async get(sampleId: string, id: string): Promise<SamplePhotoRow | undefined> {
    const { rows } = await this.sql.query<SamplePhotoRow>(
      `select ${COLUMNS} from sample_photos where sample_id = $1 and id = $2`,
      [sampleId, id],
    );
    return rows[0];
  }
}
