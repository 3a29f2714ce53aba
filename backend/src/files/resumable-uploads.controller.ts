import { Controller, Delete, Head, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { ResumableUploads } from './resumable-uploads.service';

/**
 * The tus protocol's routes (docs/protocol.md, "Resumable uploads"), signed in like every other
 * route; the protocol itself is @tus/server's. Not in the OpenAPI description: tus is its own
 * documented protocol, spoken by tus clients rather than called route by route.
 */
@ApiExcludeController()
@Controller('api/uploads')
@Authenticated()
export class ResumableUploadsController {
  constructor(private readonly uploads: ResumableUploads) {}

  @Post()
  create(@Req() request: Request, @Res() response: Response, @CurrentAuth() auth: AuthContext): Promise<void> {
    return this.uploads.handle(request, response, auth.user);
  }

  @Head(':id')
  offset(@Req() request: Request, @Res() response: Response, @CurrentAuth() auth: AuthContext): Promise<void> {
    return this.uploads.handle(request, response, auth.user);
  }

  @Patch(':id')
  append(@Req() request: Request, @Res() response: Response, @CurrentAuth() auth: AuthContext): Promise<void> {
    return this.uploads.handle(request, response, auth.user);
  }

  @Delete(':id')
  cancel(@Req() request: Request, @Res() response: Response, @CurrentAuth() auth: AuthContext): Promise<void> {
    return this.uploads.handle(request, response, auth.user);
  }
}
