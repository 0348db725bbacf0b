import type { Logger } from "../logger.js";
import type { AccountStore } from "./account-store.js";
import type { AuditLog } from "./audit-log.js";
import { hashPassword, minimumPasswordLength } from "./passwords.js";

/** Options for {@link ensureAdmin}. */
export interface EnsureAdminOptions {
  /** Users. */
  accounts: AccountStore;
  /** Where the creation is recorded. */
  audit: AuditLog;
  /** `ADMIN_EMAIL`. */
  email: string;
  /** `ADMIN_PASSWORD`. */
  password: string;
  /** Says whether the admin was created. */
  logger: Logger;
}

/**
 * Creates the admin from `ADMIN_EMAIL` / `ADMIN_PASSWORD` when no user exists yet (headless installs). Does nothing
 * once any user exists, so changing the variables later never resets a password. True when it created the admin.
 */
export async function ensureAdmin(options: EnsureAdminOptions): Promise<boolean> {
  if (options.accounts.countUsers() > 0) return false;
  if (options.password.length < minimumPasswordLength) {
    throw new Error(`ADMIN_PASSWORD must have at least ${minimumPasswordLength} characters`);
  }
  const user = options.accounts.createFirstAdmin({
    email: options.email,
    passwordHash: await hashPassword(options.password),
  });
  if (!user) return false;
  options.audit.record({
    actor: null,
    action: "user.created",
    target: user.email,
    details: { role: "admin", from: "ADMIN_EMAIL" },
  });
  options.logger.info({ email: user.email }, "Created the admin account from ADMIN_EMAIL");
  return true;
}
