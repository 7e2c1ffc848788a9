// Which tenant the screens show. A tenant's own users always see their tenant; the platform admin picks one (or all,
// null) and the choice is remembered in localStorage. Screens read it, and listen for changes, through this module.
import { api } from './api.js';
import { h, uid } from './dom.js';
import { t } from './i18n.js';
import './setup/tenants-instances-strings.js';

const storageKey = 'hybridflow.tenantInView';
const listeners = new Set();

function stored() {
  try {
    const value = Number(localStorage.getItem(storageKey));
    return Number.isSafeInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

/** The tenant id the screens show for this user: their own, or the platform admin's pick (null = all tenants). */
export function tenantInView(user) {
  if (user?.tenant_id) return user.tenant_id;
  return stored();
}

/** The platform admin's pick; null shows every tenant. Listeners hear the new id. */
export function setTenantInView(tenantId) {
  try {
    if (tenantId) localStorage.setItem(storageKey, String(tenantId));
    else localStorage.removeItem(storageKey);
  } catch { /* storage may be off: the pick lasts until reload */ }
  for (const listener of listeners) listener(tenantId ?? null);
}

/** Calls listener(tenantId) whenever the pick changes; returns a function that stops listening. */
export function onTenantInViewChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// The platform admin's tenants, read once per page load (and again after a tenant is created or renamed), for the
// header's picker and the tenant labels of the conversation list.
let tenantsPromise = null;

function picksTenants(user) { return !user?.tenant_id && user?.role === 'platform_admin'; }

/** The tenants the platform admin may pick, [{ id, name }], oldest first; [] for anyone else. */
export function knownTenants(user) {
  if (!picksTenants(user)) return Promise.resolve([]);
  tenantsPromise ??= api.get('/api/tenants?page_size=200')
    .then((page) => page.items.map((tenant) => ({ id: tenant.id, name: tenant.name })))
    .catch(() => { tenantsPromise = null; return []; });
  return tenantsPromise;
}

/** Forgets the tenants read so far (one was created or renamed): the next reader asks the server again. */
export function forgetKnownTenants() { tenantsPromise = null; }

/** The header's picker of the tenant in view, for the platform admin; null for a tenant's own users. */
export function tenantPicker(user) {
  if (!picksTenants(user)) return null;
  const id = uid('tenant-picker');
  const inView = tenantInView(user);
  const select = h('select', {
    id, 'data-testid': 'tenant-picker',
    onchange: () => setTenantInView(select.value ? Number(select.value) : null),
  }, h('option', { value: '', selected: inView === null }, t('tenant_picker.all')));
  knownTenants(user).then((tenants) => {
    select.append(...tenants.map((tenant) => h('option', { value: String(tenant.id), selected: tenant.id === inView }, tenant.name)));
    // A pick whose tenant was deleted since: back to all tenants.
    if (inView !== null && tenants.length && !tenants.some((tenant) => tenant.id === inView)) setTenantInView(null);
  });
  return h('div', { class: 'tenant-picker' }, h('label', { for: id, class: 'visually-hidden' }, t('tenant_picker.label')), select);
}
