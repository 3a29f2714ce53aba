import { ChangeDetectionStrategy, Component } from '@angular/core';

/**
 * Placeholder until the web app lands (issue 3): proves the server serves the built app on the
 * same port as the API and the socket, and points people at what works today.
 */
@Component({
  selector: 'parley-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main>
      <h1>Parley</h1>
      <p>The server is running. The web app is on its way.</p>
      <p>Today you can sign in over the REST API (<code>POST /api/auth/login</code>) and chat with any
        socket.io client or the prototype's pages: see the README.</p>
    </main>
  `,
  styles: `main { max-width: 40rem; margin: 4rem auto; padding: 0 1rem; }`,
})
export class AppComponent {}
