import { ChevronDown, ChevronRight, GripVertical, MoreHorizontal, Plus, Square } from 'lucide-react';
import { STEP_ICONS } from '@/components/designer/canvas/step-icon';

/** The icons a step card draws besides its type's: its handle, its menu, a block's chevrons, a pipe's "+". */
const CARD_CHROME = {
  grip: GripVertical,
  more: MoreHorizontal,
  'chevron-down': ChevronDown,
  'chevron-right': ChevronRight,
  plus: Plus,
  square: Square,
} as const;

export type TCardIconName = keyof typeof CARD_CHROME | keyof typeof STEP_ICONS;

const PREFIX = 'pw-card-icon-';

/**
 * Every icon the step cards use, drawn once per page as `<symbol>`s; each card points at them
 * with `<use>` (CardIcon). A lucide icon is a component with a context read and an `<svg>` of up
 * to six shapes; a card drew three or four, so at a hundred cards the page hydrated ~400 icon
 * components and ~1,500 SVG nodes (issue #16). `<use>` is two plain nodes and no component.
 *
 * Each icon is drawn at the sprite's own scale (24 units) and clips nothing (`overflow="visible"`:
 * lucide's shapes stay inside their 24 × 24 box): an SVG viewport that scales or clips is a
 * transform or clip node of its own for the browser's compositor, which sorts the page's paint
 * into layers again on every frame of a drag, at a cost that grows with those nodes (ARCHITECTURE.md).
 */
export function CardIconSprite() {
  const icons = { ...STEP_ICONS, ...CARD_CHROME };
  return (
    <svg aria-hidden width="0" height="0" className="absolute size-0 overflow-hidden">
      {Object.entries(icons).map(([name, Icon]) => (
        <symbol key={name} id={`${PREFIX}${name}`} viewBox="0 0 24 24" overflow="visible">
          <Icon overflow="visible" />
        </symbol>
      ))}
    </svg>
  );
}

/** One of the sprite's icons (CardIconSprite must be on the page); a type without an icon gets a square. */
export function CardIcon({ name, className }: { name: string | undefined; className?: string }) {
  const known = name !== undefined && (Object.hasOwn(STEP_ICONS, name) || Object.hasOwn(CARD_CHROME, name));
  // The card's own viewBox scales the 24-unit icon to its size, so the symbol inside is drawn 1:1.
  return (
    <svg aria-hidden viewBox="0 0 24 24" overflow="visible" className={className}>
      <use href={`#${PREFIX}${known ? name : 'square'}`} />
    </svg>
  );
}
