import type { UploadedFile } from '@parley/contract';

/** What POST /api/files answers for a file of this name, for specs. */
export function uploaded(name: string, over: Partial<UploadedFile> = {}): UploadedFile {
  return { id: `id-${name}`, name, size: 5, content_type: 'text/plain', sha256: 'ab', ...over };
}
