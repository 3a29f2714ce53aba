import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';

/**
 * Where `ng build` puts the web app (angular.json outputPath). Three levels up is the project
 * root both from backend/src/web (tests) and from dist/backend/web (npm start).
 */
export const WEB_APP_DIR = join(__dirname, '..', '..', '..', 'dist', 'frontend', 'browser');

/**
 * Serves the built Angular app on the same port as the API and the socket, so one URL is all
 * a user needs. Unknown paths fall back to index.html for the app's router (/admin/<name>...).
 */
@Module({})
export class WebAppModule {
  static forRoot(): DynamicModule {
    if (!existsSync(join(WEB_APP_DIR, 'index.html'))) return { module: WebAppModule };
    return {
      module: WebAppModule,
      imports: [
        ServeStaticModule.forRoot({
          rootPath: WEB_APP_DIR,
          exclude: ['/api/{*path}', '/socket.io/{*path}'],
        }),
      ],
    };
  }
}
