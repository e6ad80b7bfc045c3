import { CopyButton } from '@/components/ui/copy-button';
import { SIGNATURE_TOLERANCE_SECONDS } from '@/model/webhook-signature';

type TProps = {
  url: string | null;
  mode: 'async' | 'sync';
  secret?: string;
  rateLimitPerMinute: number;
  waitMs: number;
  exampleBody: unknown;
};

/** A body as one shell word in single quotes (a quote inside becomes '\''). */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The curl command that fires the webhook; with a secret, the signing steps before it. The secret's value is never shown, only its name. */
export function webhookCurl({ url, body, signed }: { url: string; body: string; signed: boolean }): string {
  if (!signed)
    return [
      `curl -X POST ${shellQuote(url)} \\`,
      `  -H 'Content-Type: application/json' \\`,
      `  --data-binary ${shellQuote(body)}`,
    ].join('\n');
  return [
    `body=${shellQuote(body)}`,
    't=$(date +%s)',
    `sig=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$PIPEWRIGHT_WEBHOOK_SECRET" | awk '{print $NF}')`,
    `curl -X POST ${shellQuote(url)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H "Pipewright-Signature: t=$t,v1=$sig" \\`,
    `  --data-binary "$body"`,
  ].join('\n');
}

/** A webhook's address, how to call it, and (when it requires signatures) how to sign a request. */
export function WebhookDetails({ url, mode, secret, rateLimitPerMinute, waitMs, exampleBody }: TProps) {
  const curl = url ? webhookCurl({ url, body: JSON.stringify(exampleBody), signed: Boolean(secret) }) : null;
  return (
    <div className="flex flex-col gap-3 text-[13px]">
      <dl className="flex flex-wrap gap-x-6 gap-y-1">
        <div className="flex gap-2">
          <dt className="text-ink-faint">Mode</dt>
          <dd className="text-ink">
            {mode === 'sync' ? `sync (waits up to ${waitMs} ms for the output)` : 'async (answers 202 with the run id)'}
          </dd>
        </div>
        <div className="flex gap-2">
          <dt className="text-ink-faint">Limit</dt>
          <dd className="text-ink">{rateLimitPerMinute} requests/min</dd>
        </div>
        <div className="flex min-w-0 gap-2">
          <dt className="text-ink-faint">Signature</dt>
          <dd className="min-w-0 text-ink">
            {secret ? (
              <>
                required, with secret <code className="font-mono break-all">{secret}</code>
              </>
            ) : (
              'not required'
            )}
          </dd>
        </div>
      </dl>
      {url ? (
        <>
          <div className="flex flex-col gap-1">
            <span className="text-[12px] font-medium text-ink-faint" id="webhook-url-label">
              URL (POST; the JSON body is the run&apos;s input)
            </span>
            <div className="flex items-start gap-2">
              <code
                data-testid="webhook-url"
                className="min-w-0 flex-1 rounded-md border border-line bg-subtle px-2.5 py-1.5 font-mono text-[12px] break-all text-ink"
              >
                {url}
              </code>
              <CopyButton value={url} label="Copy URL" />
            </div>
            <span className="text-[12px] text-ink-faint">
              Anyone with this URL can start runs{secret ? ' if they can also sign' : ''}: share it like a password.
            </span>
          </div>
          <div className="flex flex-col gap-1">
            <div className="flex items-center justify-between gap-2">
              <span className="text-[12px] font-medium text-ink-faint">Try it with curl</span>
              <CopyButton value={curl ?? ''} label="Copy command" />
            </div>
            <pre className="overflow-x-auto rounded-md border border-line bg-subtle px-2.5 py-2 font-mono text-[12px] leading-relaxed text-ink">
              {curl}
            </pre>
          </div>
        </>
      ) : (
        <p className="text-ink-muted">The URL is shown to people who may start runs.</p>
      )}
      {secret && (
        <div
          className="rounded-md border border-line bg-subtle/60 px-3 py-2 text-ink-muted"
          aria-label="Signing recipe"
        >
          <p className="font-medium text-ink">Signing a request</p>
          <ol className="mt-1 list-decimal pl-5 leading-relaxed">
            <li>
              Take the current Unix time in seconds as <code className="font-mono text-ink">t</code> and the raw request
              body exactly as sent.
            </li>
            <li>
              Compute the hex HMAC-SHA256 of <code className="font-mono text-ink">t + &quot;.&quot; + rawBody</code>{' '}
              with the value of secret <code className="font-mono break-all text-ink">{secret}</code> as the key.
            </li>
            <li>
              Send it as <code className="font-mono text-ink">Pipewright-Signature: t=&lt;t&gt;,v1=&lt;hex&gt;</code>.
              Signatures older or newer than {SIGNATURE_TOLERANCE_SECONDS} s, or that do not match, get 401 and start
              nothing.
            </li>
          </ol>
        </div>
      )}
    </div>
  );
}
