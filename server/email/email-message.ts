import 'server-only';
/** How a message left: through SMTP_URL, or kept in the outbox because none is configured. */
export const EMAIL_DELIVERIES = ['outbox', 'smtp'] as const;
export type TEmailDelivery = (typeof EMAIL_DELIVERIES)[number];

/**
 * `sending`: an SMTP send began and has not been confirmed: one attempt may be sending it now
 * (its live claim, `claim_owner` until `claim_expires_at`), or an earlier attempt failed or
 * died before the server's answer was recorded (no claim, or one that ran out);
 * `sent`: the SMTP server accepted it; `kept`: it is in the outbox.
 */
export const EMAIL_STATUSES = ['sending', 'sent', 'kept'] as const;
export type TEmailStatus = (typeof EMAIL_STATUSES)[number];
