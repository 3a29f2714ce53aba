import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers for every response (pages, API, static files). The CSP fits the built
 * Angular app: scripts only from Parley itself; inline styles allowed because Angular and
 * Material set component styles at run time. Over plain http (the LAN default) HSTS and
 * upgrade-insecure-requests are off (they would send browsers to an https that is not there),
 * and so is COOP, which browsers ignore there.
 */
export function securityHeaders(options: { tls: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        // 'self' covers the page's own ws:/wss: in current browsers.
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: options.tls ? { maxAge: 180 * 24 * 3600 } : false,
    // Browsers ignore COOP on an untrustworthy origin (http://<LAN name>) and log an error.
    crossOriginOpenerPolicy: options.tls ? { policy: 'same-origin' } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/**
 * `Cache-Control: no-store` on every /api answer: sign-in answers carry a session token and the
 * rest is one user's view (their profile, the users, the audit log), which no shared or browser
 * cache may keep for the next person at that computer. The web app's own files stay cacheable.
 */
export function noStoreForApi(): RequestHandler {
  return (request, response, next) => {
    // Express matches routes case-insensitively, so /API/me is /api/me.
    if (/^\/api(\/|$)/i.test(request.path)) response.setHeader('Cache-Control', 'no-store');
    next();
  };
}
