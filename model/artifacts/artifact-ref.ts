import { z } from 'zod';

/**
 * What a step's output holds in place of a file it returned (SPEC §11): the stored artifact's
 * id (null when nothing was stored: a dry run, a tested step), name, type and size. The bytes
 * never enter an output, snapshot or event.
 */
export const ZArtifactRef = z.object({
  $artifact: z
    .object({
      id: z.string().uuid().nullable(),
      name: z.string(),
      contentType: z.string(),
      size: z.number().int().min(0),
    })
    .strict(),
});
export type TArtifactRef = z.infer<typeof ZArtifactRef>;

/** An artifact as `GET /api/v1/runs/{id}/artifacts` lists it. */
export const ZArtifactRecord = z.object({
  id: z.string().uuid(),
  runId: z.string().uuid(),
  stepId: z.string(),
  stepPath: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int().min(0),
  createdAt: z.string(),
  /** `/api/v1/artifacts/{id}`: the download (attachment). */
  url: z.string(),
});
export type TArtifactRecord = z.infer<typeof ZArtifactRecord>;

/**
 * Types a browser shows without running anything: raster images. Only these are ever served
 * inline (`?disposition=inline`, for the run page's preview); SVG and HTML can carry script
 * and are always downloads.
 */
export const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'] as const;

/** The media type without parameters, lower-cased: `Text/Plain; charset=utf-8` → `text/plain`. */
export function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

export function isInlineImage(contentType: string): boolean {
  return (INLINE_IMAGE_TYPES as readonly string[]).includes(mediaTypeOf(contentType));
}

/** Whether the run page shows a text excerpt of this type (read as UTF-8, shown as text, never rendered). */
export function isTextPreviewable(contentType: string): boolean {
  const type = mediaTypeOf(contentType);
  return (
    type.startsWith('text/') ||
    /^application\/(?:json|xml|yaml|x-yaml|csv|x-ndjson|javascript|sql)$/.test(type) ||
    /\+(?:json|xml)$/.test(type)
  );
}

/** `1.2 MB`, `512 B`: sizes for people. */
export function formatArtifactSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
