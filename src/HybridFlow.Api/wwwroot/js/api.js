// The inbox API over fetch: the auth cookie rides along (same origin), unsafe calls carry X-XSRF-TOKEN from the
// XSRF-TOKEN cookie, and a 401 sends the app back to the login page.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

function xsrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'XSRF-TOKEN') return decodeURIComponent(rest.join('='));
  }
  return null;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function request(method, path, body, { allowUnauthorized = false, retried = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!safeMethods.has(method)) {
    const token = xsrfToken();
    if (token) headers['X-XSRF-TOKEN'] = token;
  }
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 204 || response.status === 202) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (response.ok) return data;
  if (response.status === 401 && !allowUnauthorized) {
    onUnauthorized();
  }
  // A stale CSRF token (e.g. after the server restarted): /me hands out a fresh one, then one retry.
  if (response.status === 403 && !retried && data?.title === 'CSRF check failed') {
    await request('GET', '/api/auth/me', undefined, { allowUnauthorized: true }).catch(() => null);
    return request(method, path, body, { allowUnauthorized, retried: true });
  }
  const error = new ApiError(response.status, data);
  error.retryAfter = Number(response.headers.get('Retry-After')) || null;
  throw error;
}

export const api = {
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body, options) => request('POST', path, body ?? undefined, options),
  patch: (path, body) => request('PATCH', path, body),
};

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const inbox = {
  me: () => api.get('/api/auth/me', { allowUnauthorized: true }),
  login: (email, password) => api.post('/api/auth/login', { email, password }, { allowUnauthorized: true }),
  logout: () => api.post('/api/auth/logout', undefined, { allowUnauthorized: true }),
  conversations: (filters) => api.get(`/api/inbox/conversations${query(filters)}`),
  conversation: (id) => api.get(`/api/inbox/conversations/${encodeURIComponent(id)}`),
  messages: (id, before, limit = 50) => api.get(`/api/inbox/conversations/${encodeURIComponent(id)}/messages${query({ before, limit })}`),
  send: (id, text) => api.post(`/api/inbox/conversations/${encodeURIComponent(id)}/messages`, { text }),
  note: (id, text) => api.post(`/api/inbox/conversations/${encodeURIComponent(id)}/notes`, { text }),
  update: (id, changes) => api.patch(`/api/inbox/conversations/${encodeURIComponent(id)}`, changes),
  read: (id) => api.post(`/api/inbox/conversations/${encodeURIComponent(id)}/read`),
  typing: (id) => api.post(`/api/inbox/conversations/${encodeURIComponent(id)}/typing`),
  sendTemplate: (id, template) => api.post(`/api/inbox/conversations/${encodeURIComponent(id)}/template`, template),
  templates: (instanceName, refresh = false) =>
    api.get(`/api/instances/${encodeURIComponent(instanceName)}/templates${query({ refresh: refresh ? 'true' : undefined })}`),
  pause: (id, body) => api.post(`/api/inbox/conversations/${encodeURIComponent(id)}/pause`, body ?? {}),
  resume: (id) => api.post(`/api/inbox/conversations/${encodeURIComponent(id)}/resume`),
  assignees: (tenantId) => api.get(`/api/inbox/assignees${query({ tenant_id: tenantId })}`),
  tenant: (id) => api.get(`/api/tenants/${encodeURIComponent(id)}`),
  updateTenant: (id, changes) => api.patch(`/api/tenants/${encodeURIComponent(id)}`, changes),
  // Who is logged in, without a 401 when no one is: { authenticated, user }.
  session: () => api.get('/api/auth/session', { allowUnauthorized: true }),
};
