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
    expect(markup).toBe('<svg aria-hidden="true" class="size-4"><use href="#pw-card-icon-grip"></use></svg>');
  });
});
