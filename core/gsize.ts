/**
 * Maximum rated flow Qmax (m³/h) for each G-size of a diaphragm gas meter, per EN 1359 /
 * OIML R137 (domain.md §2: "the G-size fixes the maximum rated flow").
 */
export const QMAX_BY_GSIZE: Readonly<Record<string, number>> = Object.freeze({
  'G1.6': 2.5,
  'G2.5': 4,
  G4: 6,
  G6: 10,
  G10: 16,
  G16: 25,
  G25: 40,
  G40: 65,
  G65: 100,
  G100: 160,
  G160: 250,
  G250: 400,
  G400: 650,
  G650: 1000,
  G1000: 1600,
  // turbine meters of regulator stations (EN 12261 continues the same G series)
  G1600: 2500,
  G2500: 4000,
  G4000: 6500,
  G6500: 10000,
});

/** Qmax for a spec such as `G4` or `g2.5`; undefined for an unknown spec. */
export function qmaxForSpec(spec: string | undefined | null): number | undefined {
  if (!spec) return undefined;
  const key = spec.trim().toUpperCase();
  return QMAX_BY_GSIZE[key];
}
