// The set-up screens under #/setup/<id>[/<rest>...]. Each screen adds one entry here and lives in its own module:
//   { id: 'tenants', label: 'setup.tenants' (an i18n key), allowed: (user) => boolean,
//     render: (container, { user, rest, navigate }) => void | Promise<void> }
// `rest` holds the route's parts after the id (e.g. #/setup/instances/shop-1 -> ['shop-1']). The shell draws the
// page's <h1>-less frame and the tabs; a screen draws its own <h1> inside `container`.
import { canManageTenants, renderTenants } from './tenants.js';
import { canManageInstances, renderInstances } from './instances.js';
import { canManageUsers, renderUsers } from './users.js';
import { canManageApiKeys, renderApiKeys } from './api-keys.js';

export const setupPages = [
  { id: 'tenants', label: 'tenants.title', allowed: canManageTenants, render: renderTenants },
  { id: 'instances', label: 'instances.title', allowed: canManageInstances, render: renderInstances },
  { id: 'users', label: 'people.users', allowed: canManageUsers, render: renderUsers },
  { id: 'api-keys', label: 'keys.title', allowed: canManageApiKeys, render: renderApiKeys },
];
