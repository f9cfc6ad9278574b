import type { LatLon } from './geo.ts';
import type { Stage } from './routes.ts';

/**
 * Air temperature around a parcel: outdoor climate by latitude, season and solar hour,
 * then what the place the parcel sits in (warehouse, trailer, home) makes of it.
 * Rough on purpose; it only needs to drive believable drifts.
 */

const DAY_MS = 86_400_000;

/** Outdoor air temperature, °C. */
export function outdoorTempC(at: LatLon, tsMs: number): number {
  // Annual mean and seasonal swing fitted loosely to NOAA normals (Miami ≈ 25 °C ± 4,
  // Minneapolis ≈ 8 °C ± 16).
  const annualMean = 25.5 - 0.85 * (at.lat - 25);
  const seasonalAmp = 4 + 0.6 * (at.lat - 25);
  const dayOfYear = (tsMs % (365.25 * DAY_MS)) / DAY_MS;
  const seasonal = seasonalAmp * Math.cos((2 * Math.PI * (dayOfYear - 200)) / 365.25);
  const diurnal = 5 * Math.cos((2 * Math.PI * (solarHour(at, tsMs) - 15)) / 24);
  return annualMean + seasonal + diurnal;
}

/** What the parcel's surroundings are at, given where on the journey it is. */
export function surroundingsTempC(stage: Stage, at: LatLon, tsMs: number): number {
  const outdoor = outdoorTempC(at, tsMs);
  switch (stage) {
    case 'packing':
    case 'awaiting-pickup':
      return indoor(outdoor, 20, 0.15); // conditioned warehouse
    case 'sort-hub':
    case 'hub-stop':
    case 'delivery-station':
      return indoor(outdoor, 18, 0.45); // big doors, half conditioned
    case 'line-haul':
    case 'out-for-delivery':
      return outdoor + solarGain(at, tsMs); // unrefrigerated trailer or van in the sun
    case 'delivered':
      return indoor(outdoor, 21, 0.1); // a home
  }
}

/** Local solar hour 0 … 24 from UTC and longitude. */
export function solarHour(at: LatLon, tsMs: number): number {
  const utcHour = (tsMs % DAY_MS) / 3_600_000;
  return (((utcHour + at.lon / 15) % 24) + 24) % 24;
}

/** A closed metal box in daylight runs several degrees above the air. */
function solarGain(at: LatLon, tsMs: number): number {
  const h = solarHour(at, tsMs);
  return h > 7 && h < 19 ? 7 * Math.sin((Math.PI * (h - 7)) / 12) : 0;
}

function indoor(outdoor: number, setPoint: number, leak: number): number {
  return setPoint + leak * (outdoor - setPoint);
}
