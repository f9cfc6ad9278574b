import type { Sql } from '../sql.ts';

export interface PartitionView {
  /** Partitions this worker holds, renewed. */
  mine: number[];
  /** Partitions held by a live lease of another worker. */
  taken: number[];
  /** Workers seen within the liveness window, this one included. */
  liveWorkers: number;
}

/**
 * Leases on ingest partitions (migration 035). All times are the database's own clock, so
 * workers on different machines agree on expiry without synchronised clocks.
 */
export class IngestPartitionRepository {
  constructor(private readonly sql: Sql) {}

  /** Heartbeat and renewal in one round trip; returns what the balancer needs. */
  async renew(workerId: string, ttlSeconds: number): Promise<PartitionView> {
    await this.sql.query(
      `insert into ingest_workers (worker_id, seen_at) values ($1, now())
       on conflict (worker_id) do update set seen_at = now()`,
      [workerId],
    );
    await this.sql.query(
      `update ingest_partition_leases set expires_at = now() + make_interval(secs => $2)
        where worker_id = $1 and expires_at > now()`,
      [workerId, ttlSeconds],
    );
    const { rows } = await this.sql.query<{ partition: number; mine: boolean }>(
      `select partition, worker_id = $1 as mine from ingest_partition_leases where expires_at > now()`,
      [workerId],
    );
    const live = await this.sql.query<{ n: string }>(
      `select count(*) as n from ingest_workers where seen_at > now() - make_interval(secs => $1)`,
      [ttlSeconds],
    );
    return {
      mine: rows.filter((r) => r.mine).map((r) => r.partition),
      taken: rows.filter((r) => !r.mine).map((r) => r.partition),
      liveWorkers: Math.max(1, Number(live.rows[0]!.n)),
    };
  }

  /** Takes a partition that is free or whose lease expired; false when another worker holds it. */
  async claim(workerId: string, partition: number, ttlSeconds: number): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `insert into ingest_partition_leases (partition, worker_id, expires_at)
       values ($2, $1, now() + make_interval(secs => $3))
       on conflict (partition) do update
         set worker_id = excluded.worker_id, expires_at = excluded.expires_at, acquired_at = now()
         where ingest_partition_leases.expires_at <= now() or ingest_partition_leases.worker_id = excluded.worker_id`,
      [workerId, partition, ttlSeconds],
    );
    return rowCount === 1;
  }

  /** Gives a partition back after its in-flight messages were committed and acknowledged. */
  async release(workerId: string, partition: number): Promise<void> {
    await this.sql.query(`delete from ingest_partition_leases where worker_id = $1 and partition = $2`, [
      workerId,
      partition,
    ]);
  }

  /** On a clean stop: leaves the pool at once instead of waiting for expiry. */
  async leave(workerId: string): Promise<void> {
    await this.sql.query(`delete from ingest_partition_leases where worker_id = $1`, [workerId]);
    await this.sql.query(`delete from ingest_workers where worker_id = $1`, [workerId]);
  }

  /** Records where trackers were seen (first sight per worker, or a move after a re-layout). */
  async recordDevices(seen: ReadonlyMap<string, number>): Promise<void> {
    if (!seen.size) return;
    await this.sql.query(
      `insert into ingest_partition_devices (device_id, partition)
       select * from unnest($1::text[], $2::int[])
       on conflict (device_id) do update set partition = excluded.partition, seen_at = now()`,
      [[...seen.keys()], [...seen.values()]],
    );
  }

  async devicesOf(partition: number): Promise<string[]> {
    const { rows } = await this.sql.query<{ id: string }>(
      `select device_id as id from ingest_partition_devices where partition = $1`,
      [partition],
    );
    return rows.map((r) => r.id);
  }
}
