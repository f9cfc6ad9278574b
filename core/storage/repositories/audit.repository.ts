import type { AuditActor } from '../../domain/auth/principal.ts';
import type { Sql } from '../sql.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  /** Before/after, or what was done; never a secret. */
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  detail: Record<string, unknown>;
  ip: string | null;
}

/** The audit log. Built over a transaction, so a row commits or rolls back with its change. */
export class AuditRepository {
  constructor(private readonly sql: Sql) {}

  async record(by: AuditActor, entries: AuditEntry | AuditEntry[]): Promise<void> {
    const list = [entries].flat();
    if (list.length === 0) return;
    await this.sql.query(
      `insert into audit_log (actor, actor_label, action, entity_type, entity_id, detail, ip)
       select $1, $2, e.action, e.entity_type, e.entity_id, e.detail, $3
       from jsonb_to_recordset($4::jsonb) as e(action text, entity_type text, entity_id text, detail jsonb)`,
      [
        by.actor,
        by.label,
        by.ip,
        JSON.stringify(
          list.map((e) => ({
            action: e.action,
            entity_type: e.entityType,
            entity_id: e.entityId,
            detail: e.detail ?? {},
          })),
        ),
      ],
    );
  }

  async list(f: {
    entityType?: string;
    entityId?: string;
    actor?: string;
    limit: number;
    offset: number;
  }): Promise<AuditRow[]> {
    const { rows } = await this.sql.query<AuditRow>(
      `select id, to_json(at)#>>'{}' as at, actor, actor_label as "actorLabel", action, entity_type as "entityType",
         entity_id as "entityId", detail, ip
       from audit_log
       where ($1::text is null or entity_type = $1) and ($2::text is null or entity_id = $2) and ($3::text is null or actor = $3)
       order by at desc, id desc limit $4 offset $5`,
      [f.entityType ?? null, f.entityId ?? null, f.actor ?? null, f.limit, f.offset],
    );
    return rows;
  }
}
