import { Controller, Delete, Head, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { ErrorCodes } from '@parley/contract';
import { ApiError } from '../openapi/api-docs';
import type { Request, Response } from 'express';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { ResumableUploads } from './resumable-uploads.service';

/**
 * The tus protocol's routes (docs/protocol.md, "Resumable uploads"), signed in like every other
 * route; the protocol itself is @tus/server's, spoken by tus clients (tus-js-client, Uppy).
 */
@Controller('api/uploads')
@ApiHeader({ name: 'Tus-Resumable', required: true, description: '1.0.0' })
@Authenticated()
export class ResumableUploadsController {
  constructor(private readonly uploads: ResumableUploads) {}

  @Post()
  @ApiOperation({ summary: 'Start a resumable upload (tus creation)', description: 'Upload-Length and Upload-Metadata (filename, filetype, base64) headers; the answer’s Location is the upload’s address.' })
  @ApiResponse({ status: 201, description: 'Created; Location: /api/uploads/<id>' })
  @ApiError(413, [ErrorCodes.FileTooLarge, ErrorCodes.QuotaExceeded], 'Upload-Length over PARLEY_FILES_MAX_BYTES or past the quota')
  @ApiError(400, [ErrorCodes.InvalidFile], 'Not tus (no Tus-Resumable), a malformed header, or no Upload-Length')
  create(@Req() request: Request, @Res() response: Response, @CurrentAuth() auth: AuthContext): Promise<void> {
    return this.uploads.handle(request, response, auth.user);
  }

  @Head(':id')
  @ApiOperation({ summary: 'Where a resumable upload stands (Upload-Offset)' })
  @ApiParam({ name: 'id' })
  @ApiResponse({ status: 200, description: 'Upload-Offset: the bytes the server has' })
  @ApiError(404, [ErrorCodes.UnknownFile], 'No such upload, or someone else’s')
  offset(@Req() request: Request, @Res() response: Response, @CurrentAuth() auth: AuthContext): Promise<void> {
    return this.uploads.handle(request, response, auth.user);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Send the next bytes of a resumable upload', description: 'Upload-Offset and Content-Type: application/offset+octet-stream. The last bytes answer 200 with the UploadedFile JSON (or the coded refusal of the finished file).' })
  @ApiParam({ name: 'id' })
  @ApiResponse({ status: 204, description: 'Taken; Upload-Offset says how far' })
  @ApiResponse({ status: 200, description: 'The last bytes: the stored file {id, name, size, content_type, sha256, …}' })
  @ApiError(404, [ErrorCodes.UnknownFile], 'No such upload, or someone else’s')
  @ApiError(400, [ErrorCodes.InvalidFile], 'The file is refused (empty, an image too large to open) or the offset is wrong')
  append(@Req() request: Request, @Res() response: Response, @CurrentAuth() auth: AuthContext): Promise<void> {
    return this.uploads.handle(request, response, auth.user);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Cancel a resumable upload (tus termination)' })
  @ApiParam({ name: 'id' })
  @ApiResponse({ status: 204, description: 'Cancelled; what was sent is removed' })
  @ApiError(404, [ErrorCodes.UnknownFile], 'No such upload, or someone else’s')
  cancel(@Req() request: Request, @Res() response: Response, @CurrentAuth() auth: AuthContext): Promise<void> {
    return this.uploads.handle(request, response, auth.user);
  }
}
