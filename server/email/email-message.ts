/** How a message left: through SMTP_URL, or kept in the outbox because none is configured. */
export const EMAIL_DELIVERIES = ['outbox', 'smtp'] as const;
export type TEmailDelivery = (typeof EMAIL_DELIVERIES)[number];

/**
 * `sending`: an SMTP send began and has not been confirmed (a crash or a failure left it so);
 * `sent`: the SMTP server accepted it; `kept`: it is in the outbox.
 */
export const EMAIL_STATUSES = ['sending', 'sent', 'kept'] as const;
export type TEmailStatus = (typeof EMAIL_STATUSES)[number];
