/** The live-data layer: one socket, one store, the dependency keys of every page's load. */
export { DEPENDS, sampleKey, invalidationsFor, type DependsKey, type Invalidation, type LiveMessage } from './keys';
export { liveFeed, type LiveListener } from './store.svelte';
export { liveUrl, subscribeLive, type LiveHandlers, type LiveOptions, type LiveState } from './socket';
