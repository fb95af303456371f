// geometry.js — small plane geometry on GeoJSON coordinates ([lon, lat]) for choosing
// a starting point inside a residential area. At street scale (a few km) treating
// lon/lat as plane coordinates is accurate enough to stay inside a polygon.

/** ringArea returns the signed shoelace area of a closed or open ring, in degrees². */
export function ringArea(ring) {
  let a = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % n];
    a += x1 * y2 - x2 * y1;
  }
  return a / 2;
}

/** ringCentroid returns the area centroid of a ring, or its vertex mean when the area is 0. */
export function ringCentroid(ring) {
  const a = ringArea(ring);
  if (Math.abs(a) < 1e-15) {
    const n = ring.length || 1;
    return [ring.reduce((s, p) => s + p[0], 0) / n, ring.reduce((s, p) => s + p[1], 0) / n];
  }
  let cx = 0;
  let cy = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % n];
    const f = x1 * y2 - x2 * y1;
    cx += (x1 + x2) * f;
    cy += (y1 + y2) * f;
  }
  return [cx / (6 * a), cy / (6 * a)];
}

/** inRing reports whether pt lies inside ring, by the even–odd ray-crossing rule. */
export function inRing(pt, ring) {
  const [x, y] = pt;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** inPolygon reports whether pt is inside a polygon's outer ring and outside its holes. */
export function inPolygon(pt, rings) {
  if (!rings.length || !inRing(pt, rings[0])) return false;
  return !rings.slice(1).some((hole) => inRing(pt, hole));
}

/** polygonsOf returns the polygons (arrays of rings) of a Polygon or MultiPolygon geometry. */
export function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

/**
 * interiorPoint returns a [lon, lat] inside a Polygon or MultiPolygon: the centroid of
 * the largest polygon when that lies inside it; else the middle of the widest inside
 * stretch of a horizontal line through the centroid; else the first midpoint of two
 * vertices that lies inside; else the first vertex. Returns null for other geometries.
 */
export function interiorPoint(geometry) {
  const polys = polygonsOf(geometry).filter((p) => p.length && p[0].length >= 3);
  if (!polys.length) return null;
  const rings = polys.reduce((best, p) => (Math.abs(ringArea(p[0])) > Math.abs(ringArea(best[0])) ? p : best));
  const c = ringCentroid(rings[0]);
  if (inPolygon(c, rings)) return c;

  const scan = scanlineMiddle(rings, c[1]);
  if (scan && inPolygon(scan, rings)) return scan;

  const outer = rings[0];
  for (let i = 0; i < outer.length; i++) {
    for (let j = i + 2; j < outer.length; j++) {
      const mid = [(outer[i][0] + outer[j][0]) / 2, (outer[i][1] + outer[j][1]) / 2];
      if (inPolygon(mid, rings)) return mid;
    }
  }
  return outer[0];
}

// scanlineMiddle intersects the line lat = y with every ring edge and returns the
// middle of the widest stretch between consecutive crossings that is inside.
function scanlineMiddle(rings, y) {
  const xs = [];
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
  }
  xs.sort((a, b) => a - b);
  let best = null;
  let width = 0;
  for (let k = 0; k + 1 < xs.length; k += 2) {
    const w = xs[k + 1] - xs[k];
    if (w > width) {
      width = w;
      best = [(xs[k] + xs[k + 1]) / 2, y];
    }
  }
  return best;
}
