// api.js — reads the portal's JSON API. Every failure becomes an ApiError whose
// message can be shown to a resident as it is.

/**
 * ApiError is a failed API call: the server's {"error":{"code","message","field"}}, or a
 * network failure. body is the whole decoded answer (null when there was none), for
 * refusals that carry more, such as a 409's current version.
 */
export class ApiError extends Error {
  constructor(message, { code = 'internal', field = '', status = 0, body = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
    this.status = status;
    this.body = body;
  }
}

/**
 * requestJSON sends one request (init as for fetch; Accept JSON and same-origin
 * credentials are added) and returns the decoded JSON body, or null for 204 No
 * Content. A 4xx/5xx answer throws an ApiError carrying the server's message, code,
 * field and status (and retryAfter, in seconds, on a 429); a network failure throws
 * one with code "network"; an abort is passed on as it is.
 */
export async function requestJSON(url, init = {}) {
  let res;
  try {
    res = await fetch(url, { credentials: 'same-origin', ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError('', { code: 'network' });
  }
  if (res.status === 204) return null;
  let body;
  try {
    body = await res.json();
  } catch {
    body = null; // an empty or non-JSON answer
  }
  if (!res.ok) {
    const e = body && body.error ? body.error : {};
    const err = new ApiError(e.message || `${res.status} ${res.statusText}`, {
      code: e.code || 'internal',
      field: e.field || '',
      status: res.status,
      body,
    });
    if (res.status === 429) err.retryAfter = Number(res.headers.get('Retry-After')) || 60;
    throw err;
  }
  if (body === null) throw new ApiError(`${res.status}: not JSON`, { status: res.status });
  return body;
}

/**
 * getJSON fetches path with the query params (undefined and empty values left out)
 * and returns the decoded body, failing as requestJSON does.
 */
export async function getJSON(path, params = {}, { signal } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  return requestJSON(url, { signal });
}

/** Typed calls of the API the resident page uses. */
export const api = {
  meta: () => getJSON('/api/meta'),
  categories: () => getJSON('/api/categories'),
  services: () => getJSON('/api/services', { limit: 500 }),
  areas: () => getJSON('/api/areas'),
  street: () => getJSON('/api/street'),
  /** labels is the names the map writes: roads, areas and metro stations (GeoJSON). */
  labels: () => getJSON('/api/labels'),
  // walking is how the resident walks: { speed, profile } (profile walk or step_free).
  doorstep: (lon, lat, walking, opts) => getJSON('/api/doorstep', { lon, lat, ...walking }, opts),
  /** circle is the walking circle around (lon, lat): GeoJSON, the 15-minute area first. */
  circle: (lon, lat, walking, opts) => getJSON('/api/circle', { lon, lat, ...walking }, opts),
  /** catchment is where service id can be walked to from, with the residents there. */
  catchment: (id, walking, opts) => getJSON(`/api/services/${encodeURIComponent(id)}/catchment`, { ...walking }, opts),
  /** route is the walk from (lon, lat) to service id along the network: a GeoJSON Feature. */
  route: (lon, lat, id, walking, opts) =>
    getJSON('/api/route', { from_lon: lon, from_lat: lat, to_service: id, ...walking }, opts),
  /** network is the walking lines in bbox, [minlon, minlat, maxlon, maxlat]. */
  network: (bbox, opts) => getJSON('/api/network', { bbox: bbox.join(',') }, opts),
};
