// The only module that talks to the server. Every call goes through request(), so the
// session cookie, the CSRF header and the one error shape ({"error": {code, message, fields}})
// are handled in one place.

const meta = document.querySelector('meta[name="village-api"]');
// A relative base ("/api/v1/") keeps the app same-origin; a full URL lets the static files be
// hosted elsewhere (the API must then list this origin in CORS_ALLOWED_ORIGINS).
const BASE = new URL((meta && meta.content) || "/api/v1/", window.location.href).href;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || "");
    this.status = status;
    this.code = error.code || (status === 0 ? "network" : "error");
    this.fields = error.fields || {};
    this.body = body;
  }
}

let csrfToken = null;

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

async function ensureCsrf() {
  // The cookie is readable only when the API shares our origin; the body covers the other case.
  const fromCookie = cookie("csrftoken");
  if (fromCookie) return fromCookie;
  if (csrfToken) return csrfToken;
  const response = await fetch(url("auth/csrf/"), { credentials: "include", headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  csrfToken = cookie("csrftoken") || (body && (body.csrfToken || body.csrf_token || body.token)) || null;
  return csrfToken;
}

export function url(path, params) {
  const full = new URL(path.replace(/^\//, ""), BASE);
  if (params) {
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== "") full.searchParams.set(key, value);
    }
  }
  return full.href;
}

export async function request(method, path, { body, params, raw = false } = {}) {
  const headers = { Accept: "application/json" };
  const unsafe = !["GET", "HEAD", "OPTIONS"].includes(method);
  if (unsafe) {
    const token = await ensureCsrf().catch(() => null);
    if (token) headers["X-CSRFToken"] = token;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url(path, params), {
      method,
      headers,
      credentials: "include",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (raw && response.ok) return response;
  if (response.status === 204) return null;
  let data = null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try { data = await response.json(); } catch { data = null; }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    // A session that ran out mid-use: let the app send the person to log in and back.
    if (error.code === "not_authenticated" && path !== "me/") window.dispatchEvent(new CustomEvent("village:logged-out"));
    throw error;
  }
  return data;
}

export const api = {
  get: (path, params) => request("GET", path, { params }),
  post: (path, body = {}) => request("POST", path, { body }),
  patch: (path, body) => request("PATCH", path, { body }),
  put: (path, body) => request("PUT", path, { body }),
  del: (path, body) => request("DELETE", path, { body }),
  raw: (path, params) => request("GET", path, { params, raw: true }),
  forgetCsrf: () => { csrfToken = null; },
};

// Lists are paginated ({count, next, previous, results}); some small ones may be plain arrays.
export function items(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.results)) return data.results;
  return [];
}

// Follows `next` links so a screen that needs everything (a month of slots) gets everything.
export async function getAll(path, params, maxPages = 10) {
  let data = await api.get(path, { limit: 200, ...params });
  const all = items(data);
  let pages = 1;
  while (data && data.next && pages < maxPages) {
    data = await request("GET", data.next);
    all.push(...items(data));
    pages += 1;
  }
  return all;
}
