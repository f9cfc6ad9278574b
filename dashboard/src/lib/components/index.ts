/**
 * The dashboard's shared component layer: pages build from these, so a state, a time, an
 * id or a table looks and behaves the same everywhere.
 */
export { default as CreatorMessages } from './CreatorMessages.svelte';
export { default as CsvImport } from './CsvImport.svelte';
export { default as DataTable } from './DataTable.svelte';
export { default as DateTime } from './DateTime.svelte';
export { default as ExceptionActions } from './ExceptionActions.svelte';
export { default as FilterBar } from './FilterBar.svelte';
export { default as IdLink } from './IdLink.svelte';
export { default as KpiTile } from './KpiTile.svelte';
export { default as LiveIndicator } from './LiveIndicator.svelte';
export { default as OnceSecret } from './OnceSecret.svelte';
export { default as StatusChip } from './StatusChip.svelte';
// The map lives in lib/map/ with its pure helpers; it is part of the same layer.
export { default as MapView } from '../map/MapView.svelte';
