import 'server-only';
import { z } from 'zod';
import { defineContract } from '@/server/api/contract';
import { ZArtifactRecord } from '@/model/artifacts/artifact-ref';
import { ZRunArtifactsPage } from '@/server/artifacts/list-run-artifacts';
import { ZArtifactId, ZDownloadArtifactQuery } from '@/server/artifacts/download-artifact';
import { ZRunId } from '@/server/runs/run-record';

const tag = 'Artifacts';

export const listRunArtifactsContract = defineContract({
  operationId: 'listRunArtifacts',
  method: 'GET',
  path: '/runs/{id}/artifacts',
  summary:
    'Files the run\'s steps returned (SPEC §11: http.request saveBodyAs "artifact", code.js { $artifact }), oldest first, without their bytes; `limit` (1–200, default 50), the next page from `cursor` = `nextCursor`',
  tag,
  permission: 'run.read',
  params: z.object({ id: ZRunId }),
  query: ZRunArtifactsPage,
  response: z.object({ items: z.array(ZArtifactRecord), nextCursor: z.string().nullable() }),
  errors: ['NOT_FOUND'],
});

export const downloadArtifactContract = defineContract({
  operationId: 'downloadArtifact',
  method: 'GET',
  path: '/artifacts/{id}',
  summary:
    "The artifact's bytes, streamed, with its Content-Type, Content-Length, `Content-Disposition: attachment` (RFC 6266/5987 filename) and nosniff. `disposition=inline` shows PNG, JPEG, GIF, WebP and AVIF images inline; every other type is always an attachment",
  tag,
  permission: 'run.read',
  params: z.object({ id: ZArtifactId }),
  query: ZDownloadArtifactQuery,
  errors: ['NOT_FOUND'],
});
