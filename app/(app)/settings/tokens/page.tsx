import type { Metadata } from 'next';
import { KeyRound } from 'lucide-react';
import { CreateTokenDialog } from '@/components/settings/create-token-dialog';
import { ForbiddenPanel } from '@/components/settings/forbidden-panel';
import { RevokeTokenButton } from '@/components/settings/revoke-token-button';
import { Badge, type TBadgeTone } from '@/components/ui/badge';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import { requirePageContext } from '@/server/auth/require-page-context';
import { roleAllows } from '@/model/roles';
import { getDb } from '@/server/db/database';
import { listApiTokens, type TApiTokenRecord } from '@/server/tokens/list-api-tokens';

export const metadata: Metadata = { title: 'API tokens' };

const STATUS_TONE: Record<TApiTokenRecord['status'], TBadgeTone> = {
  active: 'success',
  expired: 'warning',
  revoked: 'neutral',
};

export default async function TokensPage() {
  const ctx = await requirePageContext('/settings/tokens');
  const header = (actions?: React.ReactNode) => (
    <PageHeader
      title="API tokens"
      description={
        <>
          Tokens let scripts call the API as a role in this tenant. Send one as{' '}
          <code className="font-mono text-[13px]">Authorization: Bearer …</code>
        </>
      }
      actions={actions}
    />
  );
  if (!roleAllows(ctx.role, 'token.manage'))
    return (
      <>
        {header()}
        <ForbiddenPanel role={ctx.role} what="create or revoke API tokens" />
      </>
    );
  const tokens = await listApiTokens({ db: getDb(), ctx });
  return (
    <>
      {header(<CreateTokenDialog />)}
      {tokens.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API tokens yet">
          Create a token for each script or integration, with the least role it needs. See the{' '}
          <a className="text-accent underline-offset-2 hover:underline" href="/api/v1/openapi.json">
            API reference
          </a>
          .
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <TR>
              <TH>Name</TH>
              <TH>Token</TH>
              <TH>Role</TH>
              <TH>Owner</TH>
              <TH>Created</TH>
              <TH>Expires</TH>
              <TH>Last used</TH>
              <TH>Status</TH>
              <TH className="text-right">
                <span className="sr-only">Actions</span>
              </TH>
            </TR>
          </THead>
          <TBody>
            {tokens.map((token) => (
              <TR key={token.id}>
                <TD className="max-w-48">
                  <span className="block truncate font-medium" title={token.name}>
                    {token.name}
                  </span>
                </TD>
                <TD>
                  <code className="font-mono text-[13px] whitespace-nowrap text-ink-muted">{token.prefix}…</code>
                </TD>
                <TD>{token.role}</TD>
                <TD className="max-w-48 text-ink-muted">
                  <span className="block truncate" title={token.createdBy ?? undefined}>
                    {token.createdBy ?? '—'}
                  </span>
                </TD>
                <TD className="text-ink-muted">
                  <TimeText iso={token.createdAt} />
                </TD>
                <TD className="text-ink-muted">{token.expiresAt ? <TimeText iso={token.expiresAt} /> : 'Never'}</TD>
                <TD className="text-ink-muted">
                  {token.lastUsedAt ? <TimeText iso={token.lastUsedAt} withTime /> : 'Never'}
                </TD>
                <TD>
                  <Badge tone={STATUS_TONE[token.status]}>{token.status}</Badge>
                </TD>
                <TD className="text-right">
                  {token.status === 'active' && <RevokeTokenButton id={token.id} name={token.name} />}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
