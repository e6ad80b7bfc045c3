import type { Metadata } from 'next';
import { connection } from 'next/server';
import './globals.css';

export const metadata: Metadata = { title: { default: 'Pipewright', template: '%s · Pipewright' } };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request, so Next.js can put this response's CSP nonce (see
  // proxy.ts) on its scripts; a page prerendered at build time (/, the 404 page) has none.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-dvh">{children}</body>
    </html>
  );
}
