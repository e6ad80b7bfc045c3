import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CardIcon, CardIconSprite } from '@/components/designer/canvas/card-icons';
import { NODE_SHAPES } from '@/model/nodes/node-shapes';

const sprite = renderToStaticMarkup(createElement(CardIconSprite));
const iconHref = (name: string | undefined) =>
  /href="#([^"]+)"/.exec(renderToStaticMarkup(createElement(CardIcon, { name, className: 'size-4' })))?.[1];

describe('card icons', () => {
  it('draws every node type’s icon in the sprite, so no card falls back to the square', () => {
    for (const shape of Object.values(NODE_SHAPES)) {
      expect(iconHref(shape.icon)).toBe(`pw-card-icon-${shape.icon}`);
      expect(sprite).toContain(`id="pw-card-icon-${shape.icon}"`);
    }
    for (const chrome of ['grip', 'more', 'chevron-down', 'chevron-right', 'plus', 'square'])
      expect(sprite).toContain(`id="pw-card-icon-${chrome}"`);
  });

  it('points an unknown or missing icon name at the square, never at a name the sprite lacks', () => {
    expect(iconHref('no-such-icon')).toBe('pw-card-icon-square');
    expect(iconHref(undefined)).toBe('pw-card-icon-square');
    expect(iconHref('constructor')).toBe('pw-card-icon-square');
  });

  it('draws each icon as a reference: one <svg> and one <use>, hidden from screen readers', () => {
    const markup = renderToStaticMarkup(createElement(CardIcon, { name: 'grip', className: 'size-4' }));
    expect(markup).toBe(
      '<svg aria-hidden="true" viewBox="0 0 24 24" overflow="visible" class="size-4"><use href="#pw-card-icon-grip"></use></svg>',
    );
  });

  it('draws the sprite’s icons 1:1 in the card’s own viewBox, clipping nothing (no extra transform or clip per icon)', () => {
    const symbols = sprite.match(/<symbol [^>]*>/g) ?? [];
    expect(symbols.length).toBeGreaterThan(6);
    for (const symbol of symbols) expect(symbol).toMatch(/viewBox="0 0 24 24" overflow="visible"/);
    const inner = sprite.match(/<symbol [^>]*><svg [^>]*>/g) ?? [];
    expect(inner).toHaveLength(symbols.length);
    for (const svg of inner) expect(svg).toMatch(/<svg [^>]*viewBox="0 0 24 24"[^>]*overflow="visible"/);
  });
});
