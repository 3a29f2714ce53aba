import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { ApiError } from '../../openapi/api-docs';
import type { Request, Response } from 'express';
import { ErrorCodes } from '@parley/contract';
import { ParleyError } from '../../common/parley-error';
import { sendCa, sendTrustPage } from './plain-http';
import { LocalTls } from './local-tls.service';
import { CA_CERT_PATH, TRUST_PAGE_PATH } from './trust-page';

/**
 * PARLEY_TLS=auto's CA certificate and the page on trusting it, over HTTPS too (plain http gets
 * them from plainHttpHandler, before anything is trusted).
 */
@Controller()
export class TrustController {
  constructor(private readonly tls: LocalTls) {}

  @Get(CA_CERT_PATH)
  @ApiOperation({ summary: "PARLEY_TLS=auto: the local CA's certificate (PEM)", description: 'Public; also over plain http on the same port, so a device can fetch it before it trusts it.' })
  @ApiProduces('application/x-x509-ca-cert')
  @ApiResponse({ status: 200, description: 'The CA certificate, as a download (parley-ca.crt)' })
  @ApiError(404, [ErrorCodes.NotFound], 'PARLEY_TLS=auto is not set')
  caCertificate(@Res() response: Response): void {
    sendCa(response, this.requireCa().pem);
  }

  @Get(TRUST_PAGE_PATH)
  @ApiOperation({ summary: 'PARLEY_TLS=auto: how to trust the local CA on each system', description: "Public; an HTML page with the CA's fingerprint; also over plain http." })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The page' })
  @ApiError(404, [ErrorCodes.NotFound], 'PARLEY_TLS=auto is not set')
  trust(@Req() request: Request, @Res() response: Response): void {
    sendTrustPage(response, this.requireCa().fingerprint, `https://${request.headers.host ?? 'localhost'}/`);
  }

  private requireCa(): { pem: string; fingerprint: string } {
    const ca = this.tls.ca;
    if (!ca) throw new ParleyError(ErrorCodes.NotFound, 'This server does not make its own certificates (PARLEY_TLS=auto is not set)');
    return ca;
  }
}
