import { AuditRepository, type AuditRow } from '../storage/repositories/audit.repository.ts';
import type { ServiceDeps } from './deps.ts';

/** Reading the audit log (it is written by each service inside its own transactions). */
export class AuditService {
  private readonly audit: AuditRepository;

  constructor({ pool }: ServiceDeps) {
    this.audit = new AuditRepository(pool);
  }

  list(f: { entity?: string; actor?: string; limit: number; offset: number }): Promise<AuditRow[]> {
    // entity=sample or entity=sample:SMP-26-000001
    const [entityType, ...rest] = f.entity ? f.entity.split(':') : [];
    const entityId = rest.length ? rest.join(':') : undefined;
    return this.audit.list({
      ...(entityType ? { entityType } : {}),
      ...(entityId ? { entityId } : {}),
      ...(f.actor ? { actor: f.actor } : {}),
      limit: f.limit,
      offset: f.offset,
    });
  }
}
