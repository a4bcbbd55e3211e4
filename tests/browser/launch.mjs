// shared by the browser tests: Debian's Chromium, headless, with the flags this closed network needs
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
export async function launch(chromium) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hepnb-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1100 },
  });
  ctx.userDataDir = userDataDir;   // the caller removes it when done
  return ctx;
}
