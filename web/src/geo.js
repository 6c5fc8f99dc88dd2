// Small helpers over GeoJSON polygons used by the map page.

function outerRings(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates[0]];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.map((p) => p[0]);
  return [];
}

function bbox(ring) {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}

/** Interior segments of a ring along the horizontal line at latitude y. */
function crossings(ring, y) {
  const xs = [];
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x1, y1] = ring[j];
    const [x2, y2] = ring[i];
    if ((y1 > y) !== (y2 > y)) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
  }
  return xs.sort((a, b) => a - b);
}

/**
 * A point well inside a feature (not the centroid, which can fall outside a
 * concave shape): the middle of the widest interior run on a few scanlines
 * through the largest ring. Returns [lng, lat] or null.
 */
export function interiorPoint(feature) {
  let best = null;
  for (const ring of outerRings(feature.geometry)) {
    const b = bbox(ring);
    for (const t of [0.5, 0.35, 0.65, 0.2, 0.8]) {
      const y = b.minY + (b.maxY - b.minY) * t;
      const xs = crossings(ring, y);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const w = xs[k + 1] - xs[k];
        if (!best || w > best.w) best = { w, p: [(xs[k] + xs[k + 1]) / 2, y] };
      }
    }
  }
  return best ? best.p : null;
}
