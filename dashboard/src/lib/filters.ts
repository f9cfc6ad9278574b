/** Filter helpers shared by the lists. Pure; unit-tested in test/dashboard/filters.test.ts. */

/** One count button of a FilterBar. `attrs` carries a page's data attributes (tests, links). */
export interface Choice<K extends string> {
  key: K;
  label: string;
  count: number | string;
  title?: string;
  sub?: string;
  attrs?: Record<string, string>;
}

/** Pressing the pressed filter goes back to "all"; pressing another selects it. */
export function toggleChoice<K extends string>(selected: K, pressed: K, all: K): K {
  return selected === pressed && pressed !== all ? all : pressed;
}

/** Whether any of `fields` contains the search text (trimmed, case-insensitive); empty matches all. */
export function matchesSearch(search: string, fields: readonly (string | null | undefined)[]): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return fields.some((v) => v?.toLowerCase().includes(needle));
}

export type SortValue = string | number | null | undefined;

/**
 * A comparator on one value per row: nulls last whatever the direction (a missing value is
 * never "the smallest"), ties in their original order (Array.prototype.sort is stable).
 */
export function compareBy<T>(value: (row: T) => SortValue, desc = false): (a: T, b: T) => number {
  const dir = desc ? -1 : 1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * dir;
  };
}

/** The sort a header click gives: the same column flips direction, another starts ascending. */
export function nextSort<K extends string>(current: { key: K; desc: boolean }, clicked: K): { key: K; desc: boolean } {
  return current.key === clicked ? { key: clicked, desc: !current.desc } : { key: clicked, desc: false };
}

/** The header arrow of a column: " ↓", " ↑" or nothing. */
export const sortArrow = (current: { key: string; desc: boolean }, key: string): string =>
  current.key === key ? (current.desc ? ' ↓' : ' ↑') : '';

/** A DataTable column: its header, and the value it sorts by (no `sort`: not sortable). */
export interface Column<Row, Key extends string> {
  key: Key;
  label: string;
  numeric?: boolean;
  title?: string;
  sort?: (row: Row) => SortValue;
}
