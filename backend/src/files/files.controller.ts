import { Controller, Get, HttpCode, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { ErrorCodes, INLINE_IMAGE_TYPES, type UploadedFile } from '@parley/contract';
import contentDisposition from 'content-disposition';
import type { Request, Response } from 'express';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { ApiError } from '../openapi/api-docs';
import { FilesService, unknownFile, type Upload } from './files.service';
import { UploadInterceptor } from './upload.interceptor';

export const FILES_UPLOAD_PATH = '/api/files';

/**
 * A file never runs in Parley's origin: a sandbox with nothing allowed, whatever it is (HTML,
 * SVG, a polyglot); `nosniff` so the browser takes the type given; and every type but a few
 * image formats is a download.
 */
const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

@Controller('api/files')
@Authenticated()
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(UploadInterceptor)
  @ApiOperation({
    summary: 'Upload a file',
    description: 'multipart/form-data with the file in the field `file`. Attach it to a message with send_message {attachments: [id]}; until then only the uploader can fetch it, and it is removed after PARLEY_FILES_UNATTACHED_HOURS.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @ApiResponse({ status: 201, description: '{id, name, size, content_type, sha256, width?, height?, thumbnail_url?} (contract UploadedFile)' })
  @ApiError(400, [ErrorCodes.InvalidFile], 'No file in the field `file`, an empty file, a malformed body, or an image too large to open safely')
  @ApiError(413, [ErrorCodes.FileTooLarge, ErrorCodes.QuotaExceeded], 'Larger than PARLEY_FILES_MAX_BYTES, or past the uploader’s PARLEY_FILES_QUOTA_BYTES')
  @ApiError(415, [ErrorCodes.FileTypeNotAllowed, ErrorCodes.UnsupportedMediaType], 'A type PARLEY_FILES_ALLOWED_TYPES does not allow, or a body that is not multipart/form-data')
  async upload(@Req() request: Request, @CurrentAuth() auth: AuthContext): Promise<UploadedFile> {
    return this.files.accept(auth.user, request.file as unknown as Upload);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Download a file', description: 'For its uploader before it is sent, then for whoever may see the message carrying it. Range requests are answered (206).' })
  @ApiParam({ name: 'id' })
  @ApiResponse({ status: 200, description: 'The bytes, with the stored type; 206 for a Range, 304 for a matching If-None-Match', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiError(404, [ErrorCodes.UnknownFile], 'No such file, or one the caller may not see')
  async download(@Param('id') id: string, @CurrentAuth() auth: AuthContext, @Req() request: Request, @Res() response: Response): Promise<void> {
    const row = await this.files.readable(auth.user, id);
    const inline = INLINE_IMAGE_TYPES.includes(row.content_type);
    response.setHeader('Content-Type', row.content_type);
    response.setHeader('Content-Disposition', contentDisposition(row.name, { type: inline ? 'inline' : 'attachment' }));
    await this.send(request, response, this.files.pathOf(row.sha256));
  }

  @Get(':id/thumbnail')
  @ApiOperation({ summary: 'An image’s thumbnail (WebP, at most 320 px a side)' })
  @ApiParam({ name: 'id' })
  @ApiResponse({ status: 200, description: 'The thumbnail', content: { 'image/webp': { schema: { type: 'string', format: 'binary' } } } })
  @ApiError(404, [ErrorCodes.UnknownFile], 'No such file, one the caller may not see, or not an image')
  async thumbnail(@Param('id') id: string, @CurrentAuth() auth: AuthContext, @Req() request: Request, @Res() response: Response): Promise<void> {
    const row = await this.files.readable(auth.user, id);
    if (row.thumb_sha256 === null) throw unknownFile(id);
    response.setHeader('Content-Type', 'image/webp');
    response.setHeader('Content-Disposition', contentDisposition(`${row.name}.webp`, { type: 'inline' }));
    await this.send(request, response, this.files.pathOf(row.thumb_sha256));
  }

  /** Streams the bytes with Range and conditional requests (Express's send); never buffered whole. */
  private send(request: Request, response: Response, path: string): Promise<void> {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', FILE_CSP);
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    // The bytes behind an id never change; who may see them can, so the browser asks each time (a 304 is cheap).
    response.setHeader('Cache-Control', 'private, no-cache');
    return new Promise((resolve, reject) => {
      response.sendFile(path, { dotfiles: 'allow', lastModified: false, etag: true, acceptRanges: true, cacheControl: false }, (error?: Error) => {
        if (!error) return resolve();
        // Gone between the check and the read (a delete meanwhile): as for no such file.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !response.headersSent) return reject(unknownFile(request.params.id as string));
        if (response.headersSent) return resolve();
        reject(error);
      });
    });
  }
}
