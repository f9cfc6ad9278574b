/** How a parcel's packaging reacts to its surroundings, and how its recipient behaves. */
export interface ParcelProfile {
  name: string;
  /** Temperature inside the parcel when packed; 'ambient' = whatever the warehouse is at. */
  startTempC: number | 'ambient';
  /** Insulation time constant, hours: how slowly the inside follows the outside. */
  insulationTauH: number;
  /**
   * Gel-pack reserve, in °C·h of heat it can absorb while holding the inside near
   * coolantTempC; 0 = no coolant. ~60 holds a typical box for 1–2 days at room temperature.
   */
  coolantCapacity: number;
  coolantTempC: number;
  /** Minutes after delivery the creator opens the box (seeded within the range); null = never, call openBox(). */
  openAfterDeliveryMin: readonly [number, number] | null;
}

export const PROFILES = {
  /** Temperature-sensitive sample (skincare, food) packed at 4 °C with gel packs in an insulated liner. */
  'cold-chain': {
    name: 'cold-chain',
    startTempC: 4,
    insulationTauH: 8,
    coolantCapacity: 60,
    coolantTempC: 4.5,
    openAfterDeliveryMin: [20, 360],
  },
  /** An ordinary cardboard box: follows the surroundings within an hour or two. */
  ambient: {
    name: 'ambient',
    startTempC: 'ambient',
    insulationTauH: 1.5,
    coolantCapacity: 0,
    coolantTempC: 0,
    openAfterDeliveryMin: [20, 360],
  },
} as const satisfies Record<string, ParcelProfile>;

export type ProfileName = keyof typeof PROFILES;

export function resolveProfile(p: ProfileName | ParcelProfile | undefined): ParcelProfile {
  if (p === undefined) return PROFILES['cold-chain'];
  return typeof p === 'string' ? PROFILES[p] : p;
}
