import type { AppDeps } from "../deps.js";
import { AccountStore } from "./account-store.js";
import { AuditLog } from "./audit-log.js";
import { LoginThrottle } from "./login-throttle.js";
import { Permissions } from "./permissions.js";

export * from "./account-store.js";
export * from "./audit-log.js";
export { ensureAdmin } from "./ensure-admin.js";
export * from "./http.js";
export * from "./login-throttle.js";
export * from "./middleware.js";
export * from "./passwords.js";
export * from "./permissions.js";
export * from "./tokens.js";
export * from "./trusted-proxy.js";

/** The account store, permissions, audit log and login throttle of one app. */
export interface AuthParts {
  accounts: AccountStore;
  permissions: Permissions;
  audit: AuditLog;
  throttle: LoginThrottle;
}

// Keyed by the app's deps, as the chat parts are, so every route of one app shares one throttle.
const authPartsByDeps = new WeakMap<AppDeps, AuthParts>();

/** The auth parts for an app's deps, created on first use (the throttle from `deps.loginThrottle` when given). */
export function authPartsFor(deps: AppDeps): AuthParts {
  let parts = authPartsByDeps.get(deps);
  if (!parts) {
    const accounts = new AccountStore(deps.kb.db);
    parts = {
      accounts,
      permissions: new Permissions({ kb: deps.kb, accounts }),
      audit: new AuditLog(deps.kb.db),
      throttle: deps.loginThrottle ?? new LoginThrottle(),
    };
    authPartsByDeps.set(deps, parts);
  }
  return parts;
}
