// Real-browser test of hepnb's widgets: open demo.ipynb in JupyterLab (headless Chromium via playwright-core),
// run all cells, check that the AMS cut slider renders and that dragging it changes the AMS readout; save a screenshot.
// Usage (normally through run.sh): node browser_test.mjs LAB_URL SCREENSHOT_PATH
import { chromium } from 'playwright-core';
import { launch } from './launch.mjs';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';

const [url, shot] = process.argv.slice(2);
if (!url || !shot) { console.error('usage: node browser_test.mjs LAB_URL SCREENSHOT_PATH'); process.exit(2); }
const t0 = Date.now();
const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}`);
const ctx = await launch(chromium);
let ok = false;
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(url);
  await page.locator('.jp-Notebook').first().waitFor();
  // wait until the kernel is connected and idle (status bar), then run all cells; retry if nothing starts
  await page.locator('.jp-StatusBar-Widget', { hasText: /\|\s*Idle/ }).first().waitFor();
  log('notebook open, kernel idle');
  for (let attempt = 1; ; attempt++) {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
    log(`run all cells (attempt ${attempt})`);
    try {
      await page.waitForFunction(() => [...document.querySelectorAll('.jp-InputPrompt')].some(e => /\[(\*|\d+)\]/.test(e.innerText)), null, { timeout: 15_000 });
      break;
    } catch (e) { if (attempt >= 3) throw new Error('the cells never started executing'); }
  }

  const readout = page.locator('.hepnb-ams-readout').first();
  await readout.waitFor();
  const slider = page.locator('.widget-hslider').first();
  await slider.waitFor();
  const amsText = async () => (await readout.locator('b.ams').first().innerText()).trim();
  const before = await amsText();
  const cutBefore = await slider.locator('.widget-readout').innerText();
  log(`slider rendered: cut ${cutBefore}, validation AMS ${before}`);
  await page.locator('.widget-output img').first().waitFor();   // the figure is drawn
  await page.locator('.hepnb-lr-readout').first().waitFor();    // the LR widget renders too

  // drag the handle to 35 % of the track
  const handle = slider.locator('.noUi-handle').first();
  const track = await slider.locator('.noUi-target').first().boundingBox();
  const hb = await handle.boundingBox();
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await page.mouse.down();
  await page.mouse.move(track.x + 0.35 * track.width, hb.y + hb.height / 2, { steps: 8 });
  await page.mouse.up();
  const tMove = Date.now();
  await page.waitForFunction(([sel, b]) => {
    const el = document.querySelector(sel); return el && el.innerText.trim() !== b;
  }, ['.hepnb-ams-readout b.ams', before], { timeout: 30_000 });
  // continuous updates may still be arriving: wait until the readout describes the cut the slider shows
  await page.waitForFunction(() => {
    const r = document.querySelector('.hepnb-ams-readout div b'), s = document.querySelector('.widget-hslider .widget-readout');
    return r && s && r.innerText.trim() === s.innerText.trim();
  }, null, { timeout: 30_000 });
  const after = await amsText();
  const cutAfter = await slider.locator('.widget-readout').innerText();
  log(`after drag: cut ${cutAfter}, validation AMS ${after} (readout updated ${Date.now() - tMove} ms after release)`);
  if (after === before || cutAfter === cutBefore) throw new Error('the AMS readout did not change when the slider moved');
  await page.locator('.hepnb-ams-readout').first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot, fullPage: false });
  log(`screenshot: ${shot}`);
  ok = true;
} catch (e) {
  console.error('BROWSER TEST FAILED:', e.message);
  try { await ctx.pages()[0].screenshot({ path: shot.replace(/\.png$/, '-failure.png') }); } catch {}
} finally {
  await ctx.close();
  fs.rmSync(ctx.userDataDir, { recursive: true, force: true });
}
log(ok ? 'PASSED' : 'FAILED');
process.exit(ok ? 0 : 1);
