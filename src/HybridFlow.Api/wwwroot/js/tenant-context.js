// Which tenant the screens show. A tenant's own users always see their tenant; the platform admin picks one (or all,
// null) and the choice is remembered in localStorage. Screens read it, and listen for changes, through this module.
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
