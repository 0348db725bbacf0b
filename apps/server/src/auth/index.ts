import type { KnowledgeBase } from "@zhiku/ingest";
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

/** Options for {@link createAuthParts}. */
export interface AuthPartsOptions {
  /** The knowledge base: workspaces for permissions, its database for the account and audit tables. */
  kb: KnowledgeBase;
  /** Counts failed logins; a default one (5 per account, 20 per address in 15 minutes) when omitted. */
  throttle?: LoginThrottle;
}

/** Builds the auth parts of one app; every route of the app gets the same ones through its deps. */
export function createAuthParts(options: AuthPartsOptions): AuthParts {
  const accounts = new AccountStore(options.kb.db);
  return {
    accounts,
    permissions: new Permissions({ kb: options.kb, accounts }),
    audit: new AuditLog(options.kb.db),
    throttle: options.throttle ?? new LoginThrottle(),
  };
}
