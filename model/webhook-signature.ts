/** How old (or how far in the future) a webhook signature's timestamp may be (SPEC §4.5). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
