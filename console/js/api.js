// Calls to the admin listener with the signed-in admin token. Errors are the
// hub's RFC 9457 problem documents, thrown as ApiError.
const TOKEN_KEY = "lt-token";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
  // "detail (field: reason; ...)" for showing to a person.
  describe() {
    const fields = (this.problem.errors || []).map((e) => `${e.pointer || e.field || ""}: ${e.detail || e.reason || ""}`);
    return fields.length ? `${this.message} (${fields.join("; ")})` : this.message;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

async function send(path, { method = "GET", body, ifMatch } = {}) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (ifMatch) headers["If-Match"] = ifMatch;
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

// The answer's JSON, with its ETag as `etag` on objects.
export async function api(path, options) {
  const response = await send(path, options);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  if (!response.ok) throw new ApiError(response.status, data || {});
  if (data && typeof data === "object" && response.headers.get("ETag"))
    Object.defineProperty(data, "etag", { value: response.headers.get("ETag") });
  return data;
}

// A streamed answer (exports) as a Blob.
export async function download(path) {
  const response = await send(path);
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  return response.blob();
}

// Query string from an object, leaving out empty values.
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== "" && value != null) search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}
