// Renders the app's PNG icons from its two SVGs (run after changing them; the PNGs are
// committed, so a build needs neither this script nor a network):
//   node frontend/icons/render.mjs
// PNGs because Chromium's install check and iOS's home screen take no SVG icon.
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';

const icons = fileURLToPath(new URL('../public/icons/', import.meta.url));
const renders = [
  ['parley.svg', 'icon-192.png', 192],
  ['parley.svg', 'icon-512.png', 512],
  // Full-bleed: Android cuts its own shape out of it; iOS rounds the corners itself.
  ['parley-maskable.svg', 'maskable-512.png', 512],
  ['parley-maskable.svg', 'apple-touch-icon.png', 180],
];
for (const [source, target, size] of renders) {
  await sharp(icons + source, { density: 72 * (size / 512) * 4 }).resize(size, size).png({ compressionLevel: 9 }).toFile(icons + target);
  console.log(`${target} ${size}x${size}`);
}
