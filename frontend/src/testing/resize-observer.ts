/** jsdom has no layout, so no ResizeObserver: the message list's observer gets one that observes nothing (the browser specs cover scrolling). */
export function stubResizeObserver(): void {
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    disconnect(): void {}
    unobserve(): void {}
  };
}
