import type { ConditionException } from './api';
import { api } from './api';

/**
 * Critical exceptions nobody has looked at yet, for the badge in the top bar. "Seen" is a
 * high-water mark of exception ids (they only grow), kept in localStorage so the badge
 * survives a reload and clears only when someone opens the inbox.
 */
const KEY = 'sampletrack.seenCriticalId';

function readSeen(): number {
  try {
    return Number(localStorage.getItem(KEY)) || 0;
  } catch {
    return 0;
  }
}

class CriticalWatch {
  /** Open critical exceptions by id. */
  #open = $state.raw(new Map<number, ConditionException>());
  #seenId = $state(readSeen());

  /** Open critical exceptions newer than the last look at the inbox. */
  unseen = $derived.by(() => {
    let n = 0;
    for (const id of this.#open.keys()) if (id > this.#seenId) n += 1;
    return n;
  });

  async reload(): Promise<void> {
    const list = await api.listExceptions(fetch, { status: ['open'], severity: 'critical' }).catch(() => null);
    if (list) this.#open = new Map(list.map((e) => [e.id, e]));
  }

  apply(changed: readonly ConditionException[]): void {
    let next: Map<number, ConditionException> | null = null;
    for (const e of changed) {
      const wanted = e.severity === 'critical' && e.status === 'open';
      if (wanted === this.#open.has(e.id) && !wanted) continue;
      next ??= new Map(this.#open);
      if (wanted) next.set(e.id, e);
      else next.delete(e.id);
    }
    if (next) this.#open = next;
  }

  /** Everything open now has been seen (the inbox is on screen). */
  markSeen(): void {
    let max = this.#seenId;
    for (const id of this.#open.keys()) max = Math.max(max, id);
    if (max === this.#seenId) return;
    this.#seenId = max;
    try {
      localStorage.setItem(KEY, String(max));
    } catch {
      // Kept for this tab only.
    }
  }
}

export const criticalWatch = new CriticalWatch();
