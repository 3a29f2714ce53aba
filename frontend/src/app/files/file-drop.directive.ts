import { Directive, input, output, signal } from '@angular/core';

/**
 * Makes an element a place to drop files: `dragging` is true while files are held over it (for
 * an overlay saying where they will go), `dropped` gives them. Drags of anything else (text,
 * links) are left to the browser. When not `enabled` (nobody may post here) the drop is refused
 * rather than left alone: a file dropped on a page the browser does not handle opens in its
 * place, and the conversation would be gone.
 */
@Directive({
  selector: '[parleyFileDrop]',
  exportAs: 'parleyFileDrop',
  host: {
    '(dragenter)': 'onEnter($event)',
    '(dragover)': 'onOver($event)',
    '(dragleave)': 'onLeave($event)',
    '(drop)': 'onDrop($event)',
  },
})
export class FileDropDirective {
  readonly enabled = input(true, { alias: 'parleyFileDrop' });
  readonly dropped = output<File[]>();
  readonly dragging = signal(false);
  /** dragenter and dragleave fire for every child crossed: only the last leave means gone. */
  private depth = 0;

  onEnter(event: DragEvent): void {
    if (!this.accept(event)) return;
    this.depth += 1;
    this.dragging.set(this.enabled());
  }

  onOver(event: DragEvent): void {
    this.accept(event);
  }

  onLeave(event: DragEvent): void {
    if (!holdsFiles(event)) return;
    this.depth = Math.max(0, this.depth - 1);
    if (this.depth === 0) this.dragging.set(false);
  }

  onDrop(event: DragEvent): void {
    if (!this.accept(event)) return;
    this.depth = 0;
    this.dragging.set(false);
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (this.enabled() && files.length > 0) this.dropped.emit(files);
  }

  /** Takes a drag of files from the browser (and says whether it is one). */
  private accept(event: DragEvent): boolean {
    if (!holdsFiles(event)) return false;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = this.enabled() ? 'copy' : 'none';
    return true;
  }
}

function holdsFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}
