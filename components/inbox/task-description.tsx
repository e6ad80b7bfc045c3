import Markdown, { type Components } from 'react-markdown';

/** Only web links survive; javascript:, data: and relative URLs are dropped (the text stays). */
export function safeLinkUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    // Not an absolute URL: nothing to link to.
    return null;
  }
}

const COMPONENTS: Components = {
  p: ({ children }) => <p className="mb-3 last:mb-0">{children}</p>,
  ul: ({ children }) => <ul className="mb-3 list-disc pl-5">{children}</ul>,
  ol: ({ children }) => <ol className="mb-3 list-decimal pl-5">{children}</ol>,
  code: ({ children }) => <code className="rounded bg-subtle px-1 font-mono text-[13px]">{children}</code>,
  pre: ({ children }) => (
    <pre className="mb-3 overflow-x-auto rounded-md bg-subtle p-3 font-mono text-[13px]">{children}</pre>
  ),
  a: ({ href, children }) => {
    const safe = href ? safeLinkUrl(href) : null;
    if (!safe) return <span>{children}</span>;
    return (
      <a
        href={safe}
        target="_blank"
        rel="noopener noreferrer nofollow"
        className="text-accent underline underline-offset-2"
      >
        {children}
      </a>
    );
  },
  // Images would load from anywhere the author names; show the alt text instead.
  img: ({ alt }) => <span>{alt}</span>,
};

/**
 * A task's description as markdown. Raw HTML in it is dropped (react-markdown never renders
 * it without rehype-raw), and links are limited to http/https.
 */
export function TaskDescription({ markdown }: { markdown: string }) {
  if (markdown.trim() === '') return null;
  return (
    <div className="text-sm leading-6 break-words text-ink" data-task-description>
      <Markdown components={COMPONENTS} skipHtml urlTransform={(url) => safeLinkUrl(url) ?? ''}>
        {markdown}
      </Markdown>
    </div>
  );
}
