import type { Sql } from '../sql.ts';

/** What operators alert on that lives in the database, read at scrape time. */
export interface OpsSnapshot {
  /** Webhook deliveries not yet delivered, by status (pending, dead), and how many pending ones already failed once. */
  webhooks: Backlog;
  /** The follow-up outbox: pending, failed. */
  outbox: Backlog;
  /** Every alert ever raised, by kind and severity (rows are never deleted: a counter). */
  alerts: { kind: string; severity: string; count: number }[];
  /** Exceptions escalated so far. */
  escalations: number;
  /** Exceptions waiting for someone (open or acknowledged, not resolved), by severity and status. */
  exceptionsOpen: { severity: string; status: string; count: number }[];
}

export interface Backlog {
  byStatus: Record<string, number>;
  /** Pending rows that have failed at least one attempt. */
  retrying: number;
  /** Age of the oldest pending row, in seconds (0 when none). */
  oldestPendingAgeS: number;
}

// Each query reads a partial index (016_backlog_indexes.sql, 004, 010): cheap at any table size.
const backlogSql = (table: string) =>
  `select status, count(*)::int as count, count(*) filter (where attempts > 0)::int as retrying,
     coalesce(extract(epoch from now() - min(created_at) filter (where status = 'pending')), 0)::float8 as age
   from ${table} where status <> 'delivered' group by status`;

export class OpsMetricsRepository {
  constructor(private readonly sql: Sql) {}

  async snapshot(): Promise<OpsSnapshot> {
    const [webhooks, outbox, alerts, escalations, open] = await Promise.all([
      this.backlog('webhook_deliveries'),
      this.backlog('outbox'),
      this.sql.query<{ kind: string; severity: string; count: number }>(
        'select kind, severity, count(*)::int as count from alerts group by kind, severity',
      ),
      this.sql.query<{ count: number }>(
        'select count(*)::int as count from condition_exceptions where escalated_at is not null',
      ),
      this.sql.query<{ severity: string; status: string; count: number }>(
        `select severity, status, count(*)::int as count from condition_exceptions
         where status in ('open', 'acknowledged') group by severity, status`,
      ),
    ]);
    return {
      webhooks,
      outbox,
      alerts: alerts.rows,
      escalations: escalations.rows[0]?.count ?? 0,
      exceptionsOpen: open.rows,
    };
  }

  private async backlog(table: 'webhook_deliveries' | 'outbox'): Promise<Backlog> {
    const { rows } = await this.sql.query<{ status: string; count: number; retrying: number; age: number }>(
      backlogSql(table),
    );
    const out: Backlog = { byStatus: {}, retrying: 0, oldestPendingAgeS: 0 };
    for (const r of rows) {
      out.byStatus[r.status] = r.count;
      if (r.status === 'pending') {
        out.retrying = r.retrying;
        out.oldestPendingAgeS = r.age;
      }
    }
    return out;
  }
}
