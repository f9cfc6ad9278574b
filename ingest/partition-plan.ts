/**
 * Which partitions a worker should take or give back, from what it consumes and what the
 * lease table says. Pure, so the balancing is unit-tested apart from the engine.
 *
 * Each worker aims at ceil(partitions / live workers): a new worker takes free partitions,
 * a loaded one releases its excess (after draining it) so the newcomer can claim them, and
 * a partition whose lease this worker no longer holds is stopped at once (lost).
 */
export interface PartitionPlanInput {
  partitions: number;
  /** Partitions this worker is consuming now. */
  consuming: readonly number[];
  /** Live leases this worker holds, per the database. */
  mine: readonly number[];
  /** Live leases other workers hold. */
  taken: readonly number[];
  liveWorkers: number;
}

export interface PartitionPlan {
  claim: number[];
  release: number[];
  /** Consumed here without a live lease any more: stop without waiting for a handover. */
  lost: number[];
}

export function planPartitions(i: PartitionPlanInput): PartitionPlan {
  const mine = new Set(i.mine);
  const taken = new Set(i.taken);
  const lost = i.consuming.filter((p) => !mine.has(p));
  const share = Math.ceil(i.partitions / Math.max(1, i.liveWorkers));
  const held = [...mine].sort((a, b) => a - b);
  if (held.length > share) return { claim: [], release: held.slice(share), lost };
  const free: number[] = [];
  for (let p = 0; p < i.partitions && held.length + free.length < share; p++)
    if (!mine.has(p) && !taken.has(p)) free.push(p);
  return { claim: free, release: [], lost };
}
