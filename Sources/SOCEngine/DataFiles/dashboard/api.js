// The engine's HTTP API (SPEC section 7), same origin as the page.

async function call(method, path, body) {
  const options = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || `${method} ${path}: HTTP ${response.status}`);
  return data;
}

export const api = {
  analytics: () => call("GET", "/api/analytics"),
  threats: (limit) => call("GET", `/api/threats?limit=${limit}&offset=0`),
  /** Records an analyst verdict: resolved, false_positive or escalated, with an optional note. */
  verdict: (id, status, note) => call("PATCH", `/api/threats/${encodeURIComponent(id)}`, note ? { status, note } : { status }),
};
