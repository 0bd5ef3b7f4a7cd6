/** Great-circle distance and the speed-of-light floor for fiber round trips. */
export const EARTH_RADIUS_KM = 6371;
/** light in fiber covers ~200 km per ms one way, so a round trip costs 1 ms per 100 km */
export const KM_PER_RTT_MS = 100;

export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The least possible RTT in ms between two points over fiber. */
export function fiberFloorMs(a: LatLon, b: LatLon): number {
  return haversineKm(a, b) / KM_PER_RTT_MS;
}
