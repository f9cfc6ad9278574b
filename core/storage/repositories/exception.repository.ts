import type { Correction, Episode, EpisodeChanges } from '../../domain/condition/index.ts';
import { EXCEPTION_CHANNEL, type ConditionException, type Disposition, type ExceptionStatus } from '../../events.ts';
import type { Sql } from '../sql.ts';
import { filterSql, type ExceptionFilter } from './exception-filter.ts';

export type { ExceptionFilter } from './exception-filter.ts';
export type { ConditionException, Disposition, ExceptionStatus } from '../../events.ts';

export type Severity = ConditionException['severity'];

/** How many exceptions match a filter, by severity and by status. */
export interface ExceptionCounts {
  total: number;
  severity: Record<Severity, number>;
  status: Record<ExceptionStatus, number>;
}

/** One sample's exceptions in the inbox: who and what, how many of each, the first few. */
export interface ExceptionGroup {
  sampleId: string;
  creator: string;
  sku: string;
  total: number;
  severity: Record<Severity, number>;
  status: Record<ExceptionStatus, number>;
  worstSeverity: Severity;
  /** Event time the newest of them began. */
  newestStartedAt: string;
  /** Event time of the latest breaching reading among them. */
  lastSeenAt: string;
  exceptions: ConditionException[];
}

const iso = (col: string) => `to_json(${col})#>>'{}'`;
const COLUMNS = `e.id, e.sample_id as "sampleId", e.device_id as "deviceId", s.creator, s.sku, e.rule, e.type,
  e.severity, ${iso('e.started_at')} as "startedAt", ${iso('e.ended_at')} as "endedAt", e.ended_by as "endedBy",
  e.peak, e.limit_value as "limit", e.duration_ms as "durationMs", e.stage, e.lat, e.lon, e.evidence, e.status,
  e.acknowledged_by as "acknowledgedBy", ${iso('e.acknowledged_at')} as "acknowledgedAt",
  e.resolved_by as "resolvedBy", ${iso('e.resolved_at')} as "resolvedAt", e.disposition,
  e.resolution_note as "resolutionNote", ${iso('e.opened_at')} as "openedAt", ${iso('e.updated_at')} as "updatedAt",
  e.repeat_count as "repeatCount", ${iso('e.last_seen_at')} as "lastSeenAt"`;
const FROM = 'from condition_exceptions e join samples s on s.id = e.sample_id';
const SELECT = `select ${COLUMNS} ${FROM}`;

// Open first, most severe first, oldest first: the order fulfilment works through them.
const INBOX_ORDER = `order by case e.status when 'open' then 0 when 'acknowledged' then 1 else 2 end,
  case e.severity when 'critical' then 0 when 'warning' then 1 else 2 end, e.started_at, e.id`;

/** A step of an exception's life that people are told about. */
export interface ExceptionEvent {
  id: number;
  kind: 'opened' | 'ended' | 'retracted' | 'escalated' | 'resolved';
}

/** One trip's changes, for `applyBatch`. */
export interface TripChanges {
  sampleId: string;
  deviceId: string;
  changes: EpisodeChanges;
}

export class ExceptionRepository {
  constructor(private readonly sql: Sql) {}

  /** One page of the exceptions matching `f`, in inbox order. */
  async list(f: ExceptionFilter & { limit: number; offset: number }): Promise<ConditionException[]> {
    const { where, params } = filterSql(f);
    // The page's ids first: the sort then carries ids only, and the full rows (their
    // timestamps formatted) are built for one page, not for every match.
    const { rows } = await this.sql.query<ConditionException>(
      `${SELECT} where e.id in (
         select e.id ${FROM} where ${where} ${INBOX_ORDER} limit $${params.length + 1} offset $${params.length + 2}
       ) ${INBOX_ORDER}`,
      [...params, f.limit, f.offset],
    );
    return rows;
  }

  /** How many exceptions match `f` (all pages), by severity and status. */
  async count(f: ExceptionFilter): Promise<ExceptionCounts> {
    const { where, params } = filterSql(f);
    const { rows } = await this.sql.query<{ severity: Severity; status: ExceptionStatus; n: number }>(
      `select e.severity, e.status, count(*)::int as n ${FROM} where ${where} group by 1, 2`,
      params,
    );
    const counts: ExceptionCounts = {
      total: 0,
      severity: { critical: 0, warning: 0, info: 0 },
      status: { open: 0, acknowledged: 0, resolved: 0, retracted: 0 },
    };
    for (const r of rows) {
      counts.total += r.n;
      counts.severity[r.severity] += r.n;
      counts.status[r.status] += r.n;
    }
    return counts;
  }

  /**
   * The exceptions matching `f` grouped by sample, one page of groups. A group stands where
   * its most pressing exception would stand in the flat inbox; each carries its first
   * `perGroup` exceptions in inbox order. Also the number of groups over all pages.
   */
  async groups(
    f: ExceptionFilter & { limit: number; offset: number; perGroup: number },
  ): Promise<{ groups: ExceptionGroup[]; total: number }> {
    const { where, params } = filterSql(f);
    const n = params.length;
    const { rows } = await this.sql.query<Omit<ExceptionGroup, 'exceptions'> & { groupsTotal: number }>(
      `with f as (
         select e.sample_id, e.severity, e.status, e.started_at, coalesce(e.last_seen_at, e.ended_at, e.started_at) as seen,
           row_number() over (${INBOX_ORDER}) as rank
         ${FROM} where ${where}
       ), g as (
         select sample_id, count(*)::int as total, min(rank) as first_rank,
           count(*) filter (where severity = 'critical')::int as critical, count(*) filter (where severity = 'warning')::int as warning,
           count(*) filter (where severity = 'info')::int as info,
           count(*) filter (where status = 'open')::int as open, count(*) filter (where status = 'acknowledged')::int as acknowledged,
           count(*) filter (where status = 'resolved')::int as resolved, count(*) filter (where status = 'retracted')::int as retracted,
           min(case severity when 'critical' then 0 when 'warning' then 1 else 2 end) as worst,
           max(started_at) as newest, max(seen) as seen
         from f group by sample_id
       )
       select g.sample_id as "sampleId", s.creator, s.sku, g.total,
         json_build_object('critical', g.critical, 'warning', g.warning, 'info', g.info) as severity,
         json_build_object('open', g.open, 'acknowledged', g.acknowledged, 'resolved', g.resolved, 'retracted', g.retracted) as status,
         (array['critical', 'warning', 'info'])[g.worst + 1] as "worstSeverity",
         ${iso('g.newest')} as "newestStartedAt", ${iso('g.seen')} as "lastSeenAt", count(*) over () as "groupsTotal"
       from g join samples s on s.id = g.sample_id
       order by g.first_rank limit $${n + 1} offset $${n + 2}`,
      [...params, f.limit, f.offset],
    );
    // Past the last page there is no row to carry the count.
    const total = rows[0] ? Number(rows[0].groupsTotal) : await this.groupCount(f);
    if (rows.length === 0) return { groups: [], total };
    const { rows: firsts } = await this.sql.query<ConditionException & { rn: number }>(
      `select * from (
         select ${COLUMNS}, row_number() over (partition by e.sample_id ${INBOX_ORDER}) as rn
         ${FROM} where ${where} and e.sample_id = any($${n + 1})
       ) t where rn <= $${n + 2}`,
      [...params, rows.map((r) => r.sampleId), f.perGroup],
    );
    const bySample = new Map<string, ConditionException[]>();
    for (const { rn: _rn, ...e } of firsts.sort((a, b) => a.rn - b.rn)) {
      const list = bySample.get(e.sampleId) ?? [];
      list.push(e);
      bySample.set(e.sampleId, list);
    }
    return {
      groups: rows.map(({ groupsTotal: _total, ...g }) => ({ ...g, exceptions: bySample.get(g.sampleId) ?? [] })),
      total,
    };
  }

  private async groupCount(f: ExceptionFilter): Promise<number> {
    const { where, params } = filterSql(f);
    const { rows } = await this.sql.query<{ n: number }>(
      `select count(distinct e.sample_id)::int as n ${FROM} where ${where}`,
      params,
    );
    return rows[0]?.n ?? 0;
  }

  /** The status of each of these exceptions that exists. */
  async statuses(ids: readonly number[]): Promise<Map<number, ExceptionStatus>> {
    const { rows } = await this.sql.query<{ id: string; status: ExceptionStatus }>(
      'select id, status from condition_exceptions where id = any($1::bigint[])',
      [ids],
    );
    return new Map(rows.map((r) => [Number(r.id), r.status]));
  }

  /** open → acknowledged for each of `ids` still open, in one statement; returns those it acknowledged. */
  async acknowledgeMany(ids: readonly number[], by: string, at: Date): Promise<number[]> {
    const { rows } = await this.sql.query<{ id: string }>(
      `with done as (
         update condition_exceptions set status = 'acknowledged', acknowledged_by = $2, acknowledged_at = $3, updated_at = $3
         where id = any($1::bigint[]) and status = 'open' returning id
       ), logged as (
         insert into condition_exception_events (exception_id, kind, actor, at) select id, 'acknowledged', $2, $3 from done
       )
       select id from done`,
      [ids, by, at],
    );
    return rows.map((r) => Number(r.id));
  }

  async byIds(ids: readonly number[]): Promise<ConditionException[]> {
    const { rows } = await this.sql.query<ConditionException>(
      `${SELECT} where e.id = any($1::bigint[]) ${INBOX_ORDER}`,
      [ids],
    );
    return rows;
  }

  async get(id: number): Promise<ConditionException | undefined> {
    return (await this.byIds([id]))[0];
  }

  /** Episodes already raised for this trip, so a restarted evaluator keeps their ids. */
  async knownEpisodes(sampleId: string, deviceId: string): Promise<Episode[]> {
    const { rows } = await this.sql.query<{
      episodeId: string;
      rule: Episode['rule'];
      type: Episode['type'];
      severity: Episode['severity'];
      start: Date;
      end: Date | null;
      endedBy: Episode['endedBy'];
      peak: number;
      limit: number;
      durationMs: number;
      startSeq: number | null;
      evidence: number[];
      stage: Episode['stage'];
      repeatCount: number;
      lastSeen: Date | null;
    }>(
      `select episode_id as "episodeId", rule, type, severity, started_at as start, ended_at as "end", ended_by as "endedBy",
         peak, limit_value as "limit", duration_ms as "durationMs", start_seq as "startSeq", evidence, stage,
         repeat_count as "repeatCount", last_seen_at as "lastSeen"
       from condition_exceptions where sample_id = $1 and device_id = $2 and status <> 'retracted'`,
      [sampleId, deviceId],
    );
    return rows.map((r) => ({
      id: r.episodeId,
      rule: r.rule,
      type: r.type,
      severity: r.severity,
      start: r.start.getTime(),
      end: r.end ? r.end.getTime() : null,
      endedBy: r.endedBy,
      peak: r.peak,
      limit: r.limit,
      durationMs: Number(r.durationMs),
      startSeq: r.startSeq,
      evidence: r.evidence,
      stage: r.stage,
      repeatCount: r.repeatCount,
      lastSeen: (r.lastSeen ?? r.end ?? r.start).getTime(),
    }));
  }

  /**
   * Applies what the condition engine found for many trips, in the caller's transaction,
   * in a handful of statements whatever the number of trips: openings and retractions
   * (rare) one by one, every update and end in one UPDATE, every history event in one
   * INSERT. Idempotent per episode id: an episode re-reported after a restart updates its
   * row instead of opening another. A trip must appear once per call. Returns the ids of
   * the rows that changed and the workflow events recorded (for alerts).
   */
  async applyBatch(
    items: readonly TripChanges[],
    recordedAt = new Date(),
  ): Promise<{ touched: number[]; events: ExceptionEvent[] }> {
    const touched: number[] = [];
    const events: ExceptionEvent[] = [];
    const history: { id: number; kind: string; actor: string; detail: unknown }[] = [];
    const idOf = new Map<string, number>();
    const key = (sampleId: string, episodeId: string) => `${sampleId}\u0000${episodeId}`;
    const updates: { sampleId: string; kind: 'updated' | 'ended'; e: Episode }[] = [];

    for (const { sampleId, deviceId, changes } of items) {
      const closedIds = new Set(changes.closed.map((e) => e.id));
      const openedIds = new Set(changes.opened.map((e) => e.id));
      for (const e of changes.opened) {
        const { rows } = await this.sql.query<{ id: number; inserted: boolean }>(
          `insert into condition_exceptions (sample_id, device_id, episode_id, rule, type, severity, started_at, ended_at,
             ended_by, peak, limit_value, duration_ms, stage, start_seq, lat, lon, evidence, repeat_count, last_seen_at)
           select $1, $2, $3, $4, $5, $6, to_timestamp($7 / 1000.0), to_timestamp($8 / 1000.0), $9, $10, $11, $12, $13, $14,
             t.lat, t.lon, $15, $16, to_timestamp($17 / 1000.0)
           from (select 1) one left join lateral (
             select lat, lon from telemetry where device_id = $2 and seq = $14 and lat is not null limit 1) t on true
           on conflict (sample_id, episode_id) do update set ended_at = excluded.ended_at, ended_by = excluded.ended_by,
             peak = excluded.peak, duration_ms = excluded.duration_ms, evidence = excluded.evidence,
             repeat_count = excluded.repeat_count, last_seen_at = excluded.last_seen_at,
             status = case when condition_exceptions.status = 'retracted' then 'open' else condition_exceptions.status end,
             updated_at = now()
           returning id, (xmax = 0) as inserted`,
          [
            sampleId,
            deviceId,
            e.id,
            e.rule,
            e.type,
            e.severity,
            e.start,
            e.end,
            e.endedBy,
            e.peak,
            e.limit,
            e.durationMs,
            e.stage,
            e.startSeq,
            e.evidence,
            e.repeatCount,
            e.lastSeen,
          ],
        );
        const row = rows[0]!;
        idOf.set(key(sampleId, e.id), row.id);
        if (row.inserted) {
          history.push({ id: row.id, kind: 'opened', actor: 'rule:' + e.rule, detail: episodeDetail(e) });
          events.push({ id: row.id, kind: 'opened' });
        }
        if (closedIds.has(e.id)) {
          history.push({ id: row.id, kind: 'ended', actor: 'rule:' + e.rule, detail: episodeDetail(e) });
          events.push({ id: row.id, kind: 'ended' });
        }
        touched.push(row.id);
      }
      for (const e of changes.updated) if (!openedIds.has(e.id)) updates.push({ sampleId, kind: 'updated', e });
      for (const e of changes.closed) if (!openedIds.has(e.id)) updates.push({ sampleId, kind: 'ended', e });
    }

    if (updates.length) {
      const col = <T>(f: (u: (typeof updates)[number]) => T) => updates.map(f);
      // The second alias reads each row as it was before this statement: live progress (a longer
      // duration, the latest reading) updates the row but is not worth a history event.
      const { rows } = await this.sql.query<{ id: number; sampleId: string; episodeId: string; shownChanged: boolean }>(
        `update condition_exceptions c set ended_at = to_timestamp(u.end_ms / 1000.0), ended_by = u.ended_by, peak = u.peak,
           duration_ms = u.duration_ms, evidence = u.evidence::int[], started_at = to_timestamp(u.start_ms / 1000.0),
           repeat_count = u.repeat_count, last_seen_at = to_timestamp(u.last_seen_ms / 1000.0), updated_at = now()
         from unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::float8[], $6::bigint[], $7::text[], $8::float8[],
           $9::int[], $10::float8[]) as u(sample_id, episode_id, end_ms, ended_by, peak, duration_ms, evidence, start_ms,
           repeat_count, last_seen_ms), condition_exceptions o
         where o.sample_id = u.sample_id and o.episode_id = u.episode_id and c.id = o.id
         returning c.id, c.sample_id as "sampleId", c.episode_id as "episodeId",
           (o.peak is distinct from c.peak or o.started_at is distinct from c.started_at or o.repeat_count is distinct from c.repeat_count
             or o.ended_at is distinct from c.ended_at or o.ended_by is distinct from c.ended_by) as "shownChanged"`,
        [
          col((u) => u.sampleId),
          col((u) => u.e.id),
          col((u) => u.e.end),
          col((u) => u.e.endedBy),
          col((u) => u.e.peak),
          col((u) => u.e.durationMs),
          col((u) => `{${u.e.evidence.join(',')}}`),
          col((u) => u.e.start),
          col((u) => u.e.repeatCount),
          col((u) => u.e.lastSeen),
        ],
      );
      const shownChanged = new Set<number>();
      for (const r of rows) {
        idOf.set(key(r.sampleId, r.episodeId), r.id);
        if (r.shownChanged) shownChanged.add(r.id);
      }
      for (const u of updates) {
        const id = idOf.get(key(u.sampleId, u.e.id));
        if (id === undefined) continue;
        if (u.kind === 'ended' || shownChanged.has(id))
          history.push({ id, kind: u.kind, actor: 'rule:' + u.e.rule, detail: episodeDetail(u.e) });
        if (u.kind === 'ended') events.push({ id, kind: 'ended' });
        touched.push(id);
      }
    }

    for (const { sampleId, changes } of items) {
      for (const e of changes.retracted) {
        const { rows } = await this.sql.query<{ id: number }>(
          `update condition_exceptions set status = 'retracted', updated_at = now()
           where sample_id = $1 and episode_id = $2 and status <> 'retracted' returning id`,
          [sampleId, e.id],
        );
        if (rows[0]) {
          idOf.set(key(sampleId, e.id), rows[0].id);
          history.push({
            id: rows[0].id,
            kind: 'retracted',
            actor: 'rule:' + e.rule,
            detail: { reason: 'later readings showed no excursion' },
          });
          events.push({ id: rows[0].id, kind: 'retracted' });
          touched.push(rows[0].id);
        }
      }
      // What people were shown and late readings changed is recorded, never silently rewritten.
      for (const c of changes.corrected) {
        const id = idOf.get(key(sampleId, c.episode.id));
        if (id !== undefined)
          history.push({
            id,
            kind: 'corrected',
            actor: 'rule:' + c.episode.rule,
            detail: correctionDetail(c, recordedAt),
          });
      }
    }

    if (history.length) {
      await this.sql.query(
        `insert into condition_exception_events (exception_id, kind, actor, detail)
         select * from unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[])`,
        [
          history.map((h) => h.id),
          history.map((h) => h.kind),
          history.map((h) => h.actor),
          history.map((h) => (h.detail === null ? null : JSON.stringify(h.detail))),
        ],
      );
    }
    return { touched, events };
  }

  async acknowledge(id: number, by: string, at: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `update condition_exceptions set status = 'acknowledged', acknowledged_by = $2, acknowledged_at = $3, updated_at = $3
       where id = $1 and status = 'open'`,
      [id, by, at],
    );
    if (rowCount) await this.event(id, 'acknowledged', by, null, at);
    return rowCount === 1;
  }

  async resolve(id: number, by: string, disposition: Disposition, note: string | null, at: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `update condition_exceptions set status = 'resolved', resolved_by = $2, disposition = $3, resolution_note = $4,
         resolved_at = $5, updated_at = $5,
         acknowledged_by = coalesce(acknowledged_by, $2), acknowledged_at = coalesce(acknowledged_at, $5)
       where id = $1 and status in ('open', 'acknowledged')`,
      [id, by, disposition, note, at],
    );
    if (rowCount) await this.event(id, 'resolved', by, { disposition, note }, at);
    return rowCount === 1;
  }

  /**
   * Marks critical exceptions still open (unacknowledged) since before `olderThan` as
   * escalated, once each; returns their ids.
   */
  async escalateUnacknowledged(olderThan: Date, at: Date): Promise<number[]> {
    const { rows } = await this.sql.query<{ id: number }>(
      `update condition_exceptions set escalated_at = $2, updated_at = $2
       where status = 'open' and severity = 'critical' and escalated_at is null and opened_at <= $1
       returning id`,
      [olderThan, at],
    );
    for (const r of rows)
      await this.event(r.id, 'escalated', 'policy:escalation', { unacknowledgedSince: olderThan.toISOString() }, at);
    return rows.map((r) => r.id);
  }

  async events(id: number): Promise<{ kind: string; actor: string; at: string; detail: unknown }[]> {
    const { rows } = await this.sql.query<{ kind: string; actor: string; at: string; detail: unknown }>(
      `select kind, actor, ${iso('at')} as at, detail from condition_exception_events where exception_id = $1 order by id`,
      [id],
    );
    return rows;
  }

  async notifyChanged(ids: readonly number[]): Promise<void> {
    if (ids.length) await this.sql.query('select pg_notify($1, $2)', [EXCEPTION_CHANNEL, [...new Set(ids)].join(',')]);
  }

  private async event(id: number, kind: string, actor: string, detail: unknown, at?: Date): Promise<void> {
    await this.sql.query(
      'insert into condition_exception_events (exception_id, kind, actor, at, detail) values ($1, $2, $3, coalesce($4, now()), $5)',
      [id, kind, actor, at ?? null, detail === null ? null : JSON.stringify(detail)],
    );
  }
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function episodeDetail(e: Episode) {
  return {
    start: new Date(e.start).toISOString(),
    end: isoOrNull(e.end),
    peak: e.peak,
    limit: e.limit,
    durationMs: e.durationMs,
    repeatCount: e.repeatCount,
  };
}

/** A correction's detail: both times (the event time of the change, when it was recorded) and each fact from → to. */
function correctionDetail(c: Correction, recordedAt: Date) {
  const { start, end, ...rest } = c.changed;
  return {
    eventTime: new Date(c.eventTime).toISOString(),
    recordedAt: recordedAt.toISOString(),
    changed: {
      ...rest,
      ...(start ? { start: { from: isoOrNull(start.from), to: isoOrNull(start.to) } } : {}),
      ...(end ? { end: { from: isoOrNull(end.from), to: isoOrNull(end.to) } } : {}),
    },
  };
}
