/**
 * Rules that keep the drag library's lift (and drop) from restyling the page. When a drag starts,
 * @hello-pangea/dnd rewrites its style element: `body` gets `cursor: grabbing` and `user-select:
 * none` (both inherited, so every element under body was restyled) and every drag handle
 * `pointer-events: none` (inherited too: each handle's icon with it, and the palette's items).
 * Each rule below outranks the library's (`html body` over `body`, an attribute and a type over
 * an attribute) with the value the element has at rest, so their computed styles do not change
 * when the library's do, and the browser restyles nothing under them. Measured in one page at a
 * busy moment: the switch took 22 ms at 300 steps with the designer's root fenced (the fence
 * this replaces), 7.5 ms with these (issue #16; ARCHITECTURE.md).
 *
 * Nothing is lost: the library's mousedown `preventDefault` is what keeps a mouse drag from
 * selecting text, and inside the designer every element kept its own cursor before too (the root
 * set `cursor: auto`, the fence this replaces). What the pointer hits during a drag is what it
 * hit before: the dragged card follows the pointer above every other card, and its handle (or
 * the palette item's clone) still lets the pointer through, by a class of its own set while it is
 * dragged (step-card.tsx, palette.tsx), so a release lands on the same element and its click does
 * the same. The library reads boxes, not hit tests.
 */
const FENCE = [
  'html body { cursor: auto; user-select: auto; -webkit-user-select: auto; }',
  'html [data-rfd-drag-handle-context-id] { pointer-events: auto; }',
].join('\n');

/** The designer's drag style fence: a style element drawn with the designer, so it applies on its page only. */
export function DragStyleFence() {
  return <style data-drag-style-fence="">{FENCE}</style>;
}
