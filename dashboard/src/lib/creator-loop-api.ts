import { api, http, type Schemas } from './api';

/** The creator's link and photos of a sample (staff side of the creator's page). */
export type CreatorLinks = Schemas['CreatorLinks'];
export type SamplePhoto = Schemas['SamplePhoto'];

const enc = encodeURIComponent;

export const creatorLoopApi = {
  me: () => api.me(),
  links: (sampleId: string): Promise<CreatorLinks> => http.get(fetch, `/api/samples/${enc(sampleId)}/creator-link`),
  issue: (sampleId: string): Promise<{ url: string }> => http.post(`/api/samples/${enc(sampleId)}/creator-link`, {}),
  revoke: (sampleId: string): Promise<unknown> => http.delete(`/api/samples/${enc(sampleId)}/creator-link`),
  photos: (sampleId: string): Promise<SamplePhoto[]> => http.get(fetch, `/api/samples/${enc(sampleId)}/photos`),
  photoUrl: (sampleId: string, photoId: string): string => `/api/samples/${enc(sampleId)}/photos/${enc(photoId)}`,
};
