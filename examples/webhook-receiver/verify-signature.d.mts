/** Whether `header` (Pipewright-Signature) signs `rawBody` with `secret` within the tolerance. */
export function verifyPipewrightSignature(rawBody: string, header: string | undefined, secret: string, toleranceSeconds?: number): boolean;
