import type { AuditActor } from '../domain/auth/principal.ts';
import {
  applyImportRow,
  CREATOR_IMPORT_COLUMNS,
  headerProblems,
  MAX_CREATOR_IMPORT_ROWS,
  parseRows,
  type CreatorImportRow,
} from '../domain/creator-import.ts';
import { parseCsv } from '../domain/csv.ts';
import { DomainError } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository, type AuditEntry } from '../storage/repositories/audit.repository.ts';
import { CreatorRepository, type CreatorRow } from '../storage/repositories/creator.repository.ts';
import { isUniqueViolation, withTransaction } from '../storage/transaction.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

export interface CreatorImportRowReport {
  line: number;
  handle: string | null;
  /** What the row does (or would do); null for a bad row. */
  action: 'create' | 'update' | null;
  /** The creator updated or created; null for a new one in a preview, or a bad row. */
  creatorId: string | null;
  /** Fields an update changes (none: the row matches the record). */
  changes: string[];
  errors: string[];
}

export interface CreatorImportReport {
  preview: boolean;
  /** No row has errors: the file can be (or was) imported. */
  valid: boolean;
  created: number;
  updated: number;
  refused: number;
  rows: CreatorImportRowReport[];
}

interface Checked {
  line: number;
  row: CreatorImportRow;
  existing: CreatorRow | undefined;
}

/**
 * Creators from CSV. A preview checks every row and reports what each would do, writing
 * nothing. An import is all or nothing, like the sample import: any bad row refuses the
 * file (400 VALIDATION_FAILED, details.refusedRows) and nothing is written; a clean file is
 * written in one transaction with an audit row per creator.
 */
export class CreatorImportService {
  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock }: ServiceDeps) {
    this.pool = pool;
    this.now = now;
  }

  async preview(csv: string): Promise<CreatorImportReport> {
    const { reports } = await this.check(csv);
    return summary(true, reports);
  }

  async import(csv: string, by: AuditActor): Promise<CreatorImportReport> {
    const { reports, checked } = await this.check(csv);
    const bad = reports.filter((r) => r.errors.length);
    if (bad.length) throw refused(bad, reports.length);
    const at = this.now();
    const done = await withTransaction(this.pool, async (tx) => {
      const creators = new CreatorRepository(tx);
      const out: CreatorImportRowReport[] = [];
      const audit: AuditEntry[] = [];
      for (const { line, row, existing } of checked) {
        // Re-read under lock: a field the row leaves empty keeps what is stored now.
        const current = existing ? await creators.get(existing.id, { forUpdate: true }) : undefined;
        const { fields, changes } = applyImportRow(current, row);
        try {
          const saved = current
            ? await creators.update(current.id, fields, at, `set by CSV import (line ${line})`)
            : await creators.insert(fields, at);
          out.push({
            line,
            handle: row.handle,
            action: current ? 'update' : 'create',
            creatorId: saved.id,
            changes,
            errors: [],
          });
          audit.push({
            action: current ? 'creator.update' : 'creator.create',
            entityType: 'creator',
            entityId: saved.id,
            // Field names only: contact and addresses are PII.
            detail: { via: 'csv_import', line, handle: saved.handle, ...(current ? { changes } : {}) },
          });
        } catch (err) {
          // Created since the check (a concurrent import): the file is refused as a whole.
          if (isUniqueViolation(err))
            throw refused(
              [{ ...blank(line, row.handle), errors: [`handle: ${row.handle} exists now`] }],
              reports.length,
            );
          throw err;
        }
      }
      await new AuditRepository(tx).record(by, audit);
      return out;
    });
    return summary(false, done);
  }

  private async check(csv: string): Promise<{ reports: CreatorImportRowReport[]; checked: Checked[] }> {
    const [head, ...records] = parseCsv(csv);
    const header = head?.fields.map((f) => f.trim().toLowerCase()) ?? [];
    const { missing, unknown } = headerProblems(header);
    if (missing.length || unknown.length) {
      const problems = [
        ...(missing.length ? [`lacks: ${missing.join(', ')}`] : []),
        ...(unknown.length ? [`has unknown columns: ${unknown.join(', ')}`] : []),
      ];
      throw new DomainError('VALIDATION_FAILED', `CSV header ${problems.join('; ')}`, {
        expected: CREATOR_IMPORT_COLUMNS,
        missing,
        unknown,
        refusedRows: [],
      });
    }
    if (records.length === 0) throw new DomainError('VALIDATION_FAILED', 'CSV has no rows', { refusedRows: [] });
    if (records.length > MAX_CREATOR_IMPORT_ROWS) {
      throw new DomainError('VALIDATION_FAILED', `CSV has ${records.length} rows; at most ${MAX_CREATOR_IMPORT_ROWS}`, {
        refusedRows: [],
      });
    }

    const parsed = parseRows(header, records);
    const existing = await this.existing(parsed.flatMap((p) => (p.row ? [p.row.handle] : [])));
    const byCreator = new Map<string, number>();
    const reports: CreatorImportRowReport[] = [];
    const checked: Checked[] = [];
    for (const p of parsed) {
      if (!p.row) {
        reports.push({ ...blank(p.line, null), errors: p.errors });
        continue;
      }
      const found = existing.get(p.row.handle.toLowerCase());
      // Two handles of one creator (main and other) in one file would update it twice.
      const twice = found ? byCreator.get(found.id) : undefined;
      if (found && twice !== undefined) {
        reports.push({
          ...blank(p.line, p.row.handle),
          errors: [`handle: ${p.row.handle} is creator ${found.id} (${found.handle}), also on line ${twice}`],
        });
        continue;
      }
      if (found) byCreator.set(found.id, p.line);
      const { changes } = applyImportRow(found, p.row);
      reports.push({
        line: p.line,
        handle: p.row.handle,
        action: found ? 'update' : 'create',
        creatorId: found?.id ?? null,
        changes,
        errors: [],
      });
      checked.push({ line: p.line, row: p.row, existing: found });
    }
    return { reports, checked };
  }

  /** Live creators by lower-cased handle (main or other; a main handle wins). */
  private async existing(handles: string[]): Promise<Map<string, CreatorRow>> {
    const out = new Map<string, CreatorRow>();
    const creators = new CreatorRepository(this.pool);
    for (const row of await creators.byHandles(handles)) {
      for (const h of [row.handle, ...row.otherHandles]) {
        const key = h.toLowerCase();
        const held = out.get(key);
        if (!held || (held.handle.toLowerCase() !== key && row.handle.toLowerCase() === key)) out.set(key, row);
      }
    }
    return out;
  }
}

const blank = (line: number, handle: string | null): CreatorImportRowReport => ({
  line,
  handle,
  action: null,
  creatorId: null,
  changes: [],
  errors: [],
});

function summary(preview: boolean, rows: CreatorImportRowReport[]): CreatorImportReport {
  const refused = rows.filter((r) => r.errors.length).length;
  const ok = rows.filter((r) => !r.errors.length);
  return {
    preview,
    valid: refused === 0,
    created: ok.filter((r) => r.action === 'create').length,
    updated: ok.filter((r) => r.action === 'update').length,
    refused,
    rows,
  };
}

function refused(rows: CreatorImportRowReport[], total: number): DomainError {
  return new DomainError(
    'VALIDATION_FAILED',
    `${rows.length} of ${total} rows refused; nothing was imported (fix them and send the file again)`,
    { refusedRows: rows.map((r) => ({ line: r.line, errors: r.errors })) },
  );
}
