/**
 * Classes for the designer's root that stop the drag library's lift from restyling every node
 * of the page. When a drag starts, @hello-pangea/dnd rewrites its style element to give `body`
 * `cursor: grabbing` and `user-select: none`; both are inherited, so the browser recomputed the
 * style of every element under body (~7,500 at 300 steps, the 100 ms frame of the lift). An
 * element that sets both itself keeps the same computed style when body's change, and the
 * browser stops there. Nothing is lost inside: the pointer is over the dragged card (whose
 * header sets its own cursor) for the whole drag, and the library's mousedown `preventDefault`
 * already keeps a mouse drag from selecting text.
 */
export const DRAG_STYLE_FENCE = 'cursor-auto select-auto';
