/** Where the CA certificate and the page below are served, over http and https alike. */
export const CA_CERT_PATH = '/ca.crt';
export const TRUST_PAGE_PATH = '/trust';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page that explains how to trust Parley's own certificate authority on each system, with
 * the fingerprint to compare against the one the server printed when it started (whoever
 * serves this page over plain http could swap the certificate; the fingerprint, read from the
 * server's screen or log, is how a person tells). Plain HTML: it must work before anything is
 * trusted, on any device, with nothing from the internet.
 */
export function trustPage(options: { fingerprint: string; httpsUrl: string | null }): string {
  // Lines break between bytes, never inside one.
  const fingerprint = escape(options.fingerprint).replace(/:/g, ':<wbr>');
  const open = options.httpsUrl ? `<p>Then open Parley at <a href="${escape(options.httpsUrl)}">${escape(options.httpsUrl)}</a>.</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Trust this Parley server</title>
<style>
  :root { background: #fdfbff; color: #1b1b1f; }
  a { color: #0b57d0; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.75rem; }
  code, .fingerprint { font-family: ui-monospace, monospace; }
  code { overflow-wrap: anywhere; }
  .fingerprint { display: block; padding: 0.5rem 0.75rem; border: 1px solid; border-radius: 0.5rem; }
  .download { display: inline-block; padding: 0.6rem 1.1rem; border-radius: 999px; font-weight: 600; background: #0b57d0; color: #fff; text-decoration: none; }
  .download:focus-visible { outline: 3px solid #0b57d0; outline-offset: 3px; }
  @media (prefers-color-scheme: dark) {
    :root { background: #131316; color: #e4e2e6; }
    a { color: #a8c7fa; }
    .download { background: #a8c7fa; color: #062e6f; }
    .download:focus-visible { outline-color: #a8c7fa; }
  }
  li { margin: 0.25rem 0; }
</style>
</head>
<body>
<main>
<h1>Trust this Parley server</h1>
<p>Parley made its own certificate authority so that it can use HTTPS on this network without
the internet. Install its certificate once on each device, and browsers will trust Parley's
address, allow notifications and let you install the app.</p>
<p><a class="download" href="${CA_CERT_PATH}" download="parley-ca.crt">Download the certificate (parley-ca.crt)</a></p>
<p>Before you trust it, check that its SHA-256 fingerprint is the one Parley printed when it
started (ask whoever runs the server):</p>
<p><span class="fingerprint">${fingerprint}</span></p>
${open}
<h2>Windows</h2>
<ol>
<li>Open the downloaded <code>parley-ca.crt</code> and choose <b>Install Certificate…</b></li>
<li>Choose <b>Current User</b>, then <b>Place all certificates in the following store</b> → <b>Browse…</b> → <b>Trusted Root Certification Authorities</b>.</li>
<li>Finish, and answer <b>Yes</b> to the security warning. Restart the browser.</li>
</ol>
<h2>macOS</h2>
<ol>
<li>Open the downloaded <code>parley-ca.crt</code>: Keychain Access adds it to the <b>login</b> keychain.</li>
<li>Double-click <b>Parley local CA</b> in Keychain Access, open <b>Trust</b>, and set <b>When using this certificate</b> to <b>Always Trust</b>.</li>
</ol>
<h2>Linux</h2>
<ol>
<li>For the system and command-line tools (Debian, Ubuntu): <code>sudo cp parley-ca.crt /usr/local/share/ca-certificates/ &amp;&amp; sudo update-ca-certificates</code></li>
<li>Chrome and Chromium: <b>Settings</b> → <b>Privacy and security</b> → <b>Security</b> → <b>Manage certificates</b> → <b>Authorities</b> (or <b>Custom</b>) → <b>Import</b>, and tick <b>Trust this certificate for identifying websites</b>.</li>
</ol>
<h2>Firefox (any system)</h2>
<ol>
<li><b>Settings</b> → <b>Privacy &amp; Security</b> → <b>Certificates</b> → <b>View Certificates…</b> → <b>Authorities</b> → <b>Import…</b></li>
<li>Tick <b>Trust this CA to identify websites</b>.</li>
</ol>
<h2>Android</h2>
<ol>
<li>Download the certificate, then open <b>Settings</b> → <b>Security &amp; privacy</b> → <b>More security settings</b> → <b>Encryption &amp; credentials</b> → <b>Install a certificate</b> → <b>CA certificate</b>.</li>
<li>Pick <code>parley-ca.crt</code> from Downloads. (The menu names differ a little between makers.)</li>
</ol>
<h2>iPhone and iPad</h2>
<ol>
<li>Open this page in <b>Safari</b> and tap the download button; allow the configuration profile.</li>
<li><b>Settings</b> → <b>General</b> → <b>VPN &amp; Device Management</b> → <b>Parley local CA</b> → <b>Install</b>.</li>
<li><b>Settings</b> → <b>General</b> → <b>About</b> → <b>Certificate Trust Settings</b>: turn on full trust for <b>Parley local CA</b>.</li>
</ol>
</main>
</body>
</html>
`;
}
