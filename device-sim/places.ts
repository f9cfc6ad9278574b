/** Real US coordinates (city centres, WGS 84) that simulated parcels travel between. */

export interface Place {
  name: string;
  lat: number;
  lon: number;
}

/** Fulfilment warehouses parcels leave from. */
export const WAREHOUSES: readonly Place[] = [
  { name: 'Los Angeles warehouse (Commerce, CA)', lat: 33.9967, lon: -118.1598 },
  { name: 'Dallas warehouse (Dallas, TX)', lat: 32.7767, lon: -96.797 },
  { name: 'Newark warehouse (Newark, NJ)', lat: 40.7357, lon: -74.1724 },
  { name: 'Chicago warehouse (Chicago, IL)', lat: 41.8781, lon: -87.6298 },
];

/** Cities creators live in; the address is placed a few km from the centre. */
export const CREATOR_CITIES: readonly Place[] = [
  { name: 'New York, NY', lat: 40.7128, lon: -74.006 },
  { name: 'Los Angeles, CA', lat: 34.0522, lon: -118.2437 },
  { name: 'Chicago, IL', lat: 41.8781, lon: -87.6298 },
  { name: 'Houston, TX', lat: 29.7604, lon: -95.3698 },
  { name: 'Phoenix, AZ', lat: 33.4484, lon: -112.074 },
  { name: 'Philadelphia, PA', lat: 39.9526, lon: -75.1652 },
  { name: 'San Antonio, TX', lat: 29.4241, lon: -98.4936 },
  { name: 'San Diego, CA', lat: 32.7157, lon: -117.1611 },
  { name: 'Dallas, TX', lat: 32.7767, lon: -96.797 },
  { name: 'Austin, TX', lat: 30.2672, lon: -97.7431 },
  { name: 'San Jose, CA', lat: 37.3382, lon: -121.8863 },
  { name: 'San Francisco, CA', lat: 37.7749, lon: -122.4194 },
  { name: 'Seattle, WA', lat: 47.6062, lon: -122.3321 },
  { name: 'Portland, OR', lat: 45.5152, lon: -122.6784 },
  { name: 'Denver, CO', lat: 39.7392, lon: -104.9903 },
  { name: 'Las Vegas, NV', lat: 36.1699, lon: -115.1398 },
  { name: 'Salt Lake City, UT', lat: 40.7608, lon: -111.891 },
  { name: 'Minneapolis, MN', lat: 44.9778, lon: -93.265 },
  { name: 'Kansas City, MO', lat: 39.0997, lon: -94.5786 },
  { name: 'St. Louis, MO', lat: 38.627, lon: -90.1994 },
  { name: 'Nashville, TN', lat: 36.1627, lon: -86.7816 },
  { name: 'Atlanta, GA', lat: 33.749, lon: -84.388 },
  { name: 'Miami, FL', lat: 25.7617, lon: -80.1918 },
  { name: 'Orlando, FL', lat: 28.5383, lon: -81.3792 },
  { name: 'Charlotte, NC', lat: 35.2271, lon: -80.8431 },
  { name: 'Washington, DC', lat: 38.9072, lon: -77.0369 },
  { name: 'Boston, MA', lat: 42.3601, lon: -71.0589 },
  { name: 'Detroit, MI', lat: 42.3314, lon: -83.0458 },
  { name: 'New Orleans, LA', lat: 29.9511, lon: -90.0715 },
  { name: 'Columbus, OH', lat: 39.9612, lon: -82.9988 },
  { name: 'Albuquerque, NM', lat: 35.0844, lon: -106.6504 },
  { name: 'Raleigh, NC', lat: 35.7796, lon: -78.6382 },
];

/**
 * Interstate junctions and carrier sort hubs a line-haul truck plausibly passes through
 * (Memphis, Louisville and Indianapolis are the big air/ground hubs).
 */
export const HIGHWAY_HUBS: readonly Place[] = [
  { name: 'Memphis, TN hub', lat: 35.1495, lon: -90.049 },
  { name: 'Louisville, KY hub', lat: 38.2527, lon: -85.7585 },
  { name: 'Indianapolis, IN hub', lat: 39.7684, lon: -86.1581 },
  { name: 'Oklahoma City, OK', lat: 35.4676, lon: -97.5164 },
  { name: 'Albuquerque, NM', lat: 35.0844, lon: -106.6504 },
  { name: 'Flagstaff, AZ', lat: 35.1983, lon: -111.6513 },
  { name: 'Barstow, CA', lat: 34.8958, lon: -117.0173 },
  { name: 'Denver, CO hub', lat: 39.7392, lon: -104.9903 },
  { name: 'Salt Lake City, UT hub', lat: 40.7608, lon: -111.891 },
  { name: 'Kansas City, MO hub', lat: 39.0997, lon: -94.5786 },
  { name: 'St. Louis, MO hub', lat: 38.627, lon: -90.1994 },
  { name: 'Columbus, OH hub', lat: 39.9612, lon: -82.9988 },
  { name: 'Harrisburg, PA', lat: 40.2732, lon: -76.8867 },
  { name: 'Atlanta, GA hub', lat: 33.749, lon: -84.388 },
  { name: 'Nashville, TN', lat: 36.1627, lon: -86.7816 },
  { name: 'Little Rock, AR', lat: 34.7465, lon: -92.2896 },
  { name: 'El Paso, TX', lat: 31.7619, lon: -106.485 },
  { name: 'Tucson, AZ', lat: 32.2226, lon: -110.9747 },
  { name: 'Sacramento, CA', lat: 38.5816, lon: -121.4944 },
  { name: 'Des Moines, IA', lat: 41.5868, lon: -93.625 },
  { name: 'Omaha, NE', lat: 41.2565, lon: -95.9345 },
  { name: 'Cheyenne, WY', lat: 41.14, lon: -104.8202 },
  { name: 'Toledo, OH', lat: 41.6528, lon: -83.5379 },
  { name: 'Richmond, VA', lat: 37.5407, lon: -77.436 },
  { name: 'Jacksonville, FL', lat: 30.3322, lon: -81.6557 },
  { name: 'Shreveport, LA', lat: 32.5252, lon: -93.7502 },
  { name: 'Reno, NV', lat: 39.5296, lon: -119.8138 },
  { name: 'Boise, ID', lat: 43.615, lon: -116.2023 },
];

/** Finds a place by (case-insensitive) prefix of its name, e.g. 'newark' or 'Austin'. */
export function findPlace(places: readonly Place[], name: string): Place | undefined {
  const q = name.toLowerCase();
  return places.find((p) => p.name.toLowerCase().startsWith(q)) ?? places.find((p) => p.name.toLowerCase().includes(q));
}
