// Real-browser test of the course website (_docs/, built by `make docs`), in headless Chromium via playwright-core:
// every page loads without console errors or failed requests and asks nothing of another host; each chapter page
// carries its Colab badge and its images are decoded; math is typeset by MathJax; the navigation lists every chapter
// and every reference page; no internal link (or #anchor) is broken. Saves a screenshot of chapter 1's page.
// Usage (normally through run_site.sh): node site_test.mjs BASE_URL SITE_DIR SCREENSHOT_PATH
import { chromium } from 'playwright-core';
import { launch } from './launch.mjs';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';

const [base, siteDir, shot] = process.argv.slice(2);
if (!base || !siteDir || !shot) { console.error('usage: node site_test.mjs BASE_URL SITE_DIR SCREENSHOT_PATH'); process.exit(2); }
const t0 = Date.now();
const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}`);
const origin = new URL(base).origin;
const problems = [];
const fail = (page, what) => problems.push(`${page}: ${what}`);

// every HTML page of the site, from the file system (the crawl below must reach them all too)
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap(e =>
  e.isDirectory() ? (e.name.startsWith('_') ? [] : walk(path.join(d, e.name))) : [path.join(d, e.name)]);
const pages = walk(siteDir).filter(f => f.endsWith('.html')).map(f => path.relative(siteDir, f).split(path.sep).join('/')).sort();
const chapters = pages.filter(p => p.startsWith('course/'));
const reference = pages.filter(p => p.startsWith('api/'));
if (!pages.includes('index.html')) { console.error(`no index.html in ${siteDir}`); process.exit(1); }
if (chapters.length === 0 || reference.length === 0) { console.error(`no chapter or no reference page in ${siteDir}`); process.exit(1); }
// what docs/build.py staged: every chapter and reference page, and the figures stored in each chapter
const manifest = JSON.parse(fs.readFileSync(path.join(siteDir, '_static', 'hepnb-site.json'), 'utf8'));
for (const p of [...manifest.chapters, ...manifest.reference]) if (!pages.includes(p)) fail(p, 'staged but not built');
log(`${pages.length} pages: ${chapters.length} chapters, ${reference.length} reference pages`);
// static pass over every HTML and CSS file: no script, stylesheet, font, image or frame from another host
const allFiles = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap(e =>
  e.isDirectory() ? allFiles(path.join(d, e.name)) : [path.join(d, e.name)]);
const external = /<(script|link|img|iframe|source|video|audio|embed)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\/[^"'\s>]+/gi;
const cssExternal = /(url\(\s*["']?(https?:)?\/\/[^)]+\)|@import\s+["']?(https?:)?\/\/[^;]+)/gi;
let scanned = 0;
for (const f of allFiles(siteDir)) {
  const rel = path.relative(siteDir, f);
  if (f.endsWith('.html')) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(external)) {
      if (/^<a\b/i.test(m[0]) || /rel=["']?(canonical|author|license)/i.test(m[0])) continue;
      fail(rel, `external asset in the HTML: ${m[0].slice(0, 160)}`);
    }
    scanned++;
  } else if (f.endsWith('.css')) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(cssExternal)) fail(rel, `external asset in the CSS: ${m[0].slice(0, 160)}`);
    scanned++;
  }
}
log(`${scanned} HTML/CSS files scanned for assets from other hosts`);

const ctx = await launch(chromium);
// the site must be self-contained: any request to another host is refused and counted as a failure
let current = '';
await ctx.route('**/*', (route) => {
  const u = route.request().url();
  if (u.startsWith(origin + '/') || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
  fail(current, `requested an external resource: ${u}`);
  return route.abort();
});

const ids = new Map();        // page -> Set of element ids
const links = new Map();      // target page -> [{from, hash}]
let mathPages = 0, mathElements = 0, chapterImages = 0, ok = false, mathjaxLoaded = false;
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(60_000);
  page.on('console', (m) => { if (m.type() === 'error') fail(current, `console error: ${m.text()}`); });
  page.on('pageerror', (e) => fail(current, `uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => fail(current, `request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) fail(current, `HTTP ${r.status()} for ${r.url()}`); });

  for (const p of pages) {
    current = p;
    const resp = await page.goto(`${base}/${p}`, { waitUntil: 'load' });
    if (!resp || !resp.ok()) { fail(p, `HTTP ${resp && resp.status()}`); continue; }
    // math: wait for MathJax to finish, then every math element must hold a typeset mjx-container
    const nMath = await page.locator('.math').count();
    if (nMath > 0) {
      await page.waitForFunction(() => window.MathJax && MathJax.startup && MathJax.startup.promise, null,
                                 { timeout: mathjaxLoaded ? 30_000 : 5_000 })
        .then(() => { mathjaxLoaded = true; })
        .catch(() => fail(p, `${nMath} math elements but MathJax did not load`));
      await page.evaluate(() => window.MathJax && MathJax.startup && MathJax.startup.promise);
      const untypeset = await page.evaluate(() => [...document.querySelectorAll('.math')]
        .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60)));
      if (untypeset.length) fail(p, `${untypeset.length} of ${nMath} math elements not typeset, e.g. ${JSON.stringify(untypeset[0])}`);
      const errs = await page.locator('mjx-merror').count();
      if (errs) fail(p, `${errs} MathJax errors (mjx-merror)`);
      mathPages++; mathElements += nMath;
    }
    // images: present, loaded and decoded
    const imgs = await page.evaluate(async () => {
      const out = [];
      for (const im of document.querySelectorAll('article img')) {
        if (!im.complete || im.naturalWidth === 0) { try { await im.decode(); } catch {} }
        out.push({ src: im.getAttribute('src'), ok: im.complete && im.naturalWidth > 0,
                   output: !!im.closest('.cell_output, .output') });
      }
      return out;
    });
    for (const im of imgs) if (!im.ok) fail(p, `image not decoded: ${im.src}`);
    if (p.startsWith('course/')) {
      const badge = await page.locator('article a[href^="https://colab.research.google.com/github/"] img').count();
      if (badge !== 1) fail(p, `expected one Colab badge, found ${badge}`);
      const figs = imgs.filter(i => i.output && i.ok).length;
      if (figs !== manifest.figures[p]) fail(p, `${manifest.figures[p]} figures stored in the notebook, ${figs} shown`);
      chapterImages += figs;
      log(`${p}: ${figs} output figures, ${imgs.length - figs} other images, ${nMath} math elements`);
    }
    // ids (for #anchors) and internal links
    ids.set(p, new Set(await page.evaluate(() => [...document.querySelectorAll('[id]')].map(e => e.id))));
    const hrefs = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map(a => a.href));
    for (const h of hrefs) {
      if (!h.startsWith(origin + '/')) continue;          // external links (GitHub, Colab, arXiv) are not the site's
      const u = new URL(h);
      let target = decodeURIComponent(u.pathname.slice(new URL(base).pathname.replace(/\/$/, '').length + 1));
      if (target === '' || target.endsWith('/')) target += 'index.html';
      if (!target.endsWith('.html')) {                    // a file (image, notebook, ...): must exist
        if (!fs.existsSync(path.join(siteDir, target))) fail(p, `broken link to ${target}`);
        continue;
      }
      if (!links.has(target)) links.set(target, []);
      links.get(target).push({ from: p, hash: decodeURIComponent(u.hash.slice(1)) });
    }
  }
  // every internal link reaches a page of the site, and its #anchor exists there
  let nLinks = 0;
  for (const [target, froms] of links) {
    nLinks += froms.length;
    if (!ids.has(target)) { fail(froms[0].from, `broken link to ${target} (${froms.length} links)`); continue; }
    for (const { from, hash } of froms) if (hash && !ids.get(target).has(hash)) fail(from, `broken anchor ${target}#${hash}`);
  }
  // every page is reachable by links from the others (nothing orphaned), the home page aside
  for (const p of pages) if (p !== 'index.html' && !links.has(p)) fail(p, 'no page links to it');
  log(`${nLinks} internal links to ${links.size} pages checked`);

  // the navigation (sidebar) lists every chapter and every reference page
  current = 'index.html';
  await page.goto(`${base}/index.html`);
  const nav = new Set(await page.evaluate(() => [...document.querySelectorAll('nav.bd-docs-nav a[href]')]
    .map(a => new URL(a.href).pathname)));
  const basePath = new URL(base).pathname.replace(/\/$/, '');
  for (const p of [...chapters, ...reference]) if (!nav.has(`${basePath}/${p}`)) fail('index.html', `navigation does not list ${p}`);
  log(`navigation lists ${nav.size} pages`);
  if (mathPages === 0) fail('site', 'no page has math: MathJax was never exercised');

  current = 'course/01_higgsml.html';
  const ch1 = chapters.find(p => /\/01_/.test(p)) || chapters[0];
  const fresh = await ctx.newPage();   // a new tab: the theme restores the sidebar's scroll position within a tab
  fresh.on('console', (m) => { if (m.type() === 'error') fail(ch1, `console error: ${m.text()}`); });
  await fresh.goto(`${base}/${ch1}`);
  await fresh.evaluate(() => window.MathJax && MathJax.startup && MathJax.startup.promise);
  await fresh.screenshot({ path: shot, fullPage: false });
  log(`screenshot of ${ch1}: ${shot}`);
  log(`${mathElements} math elements typeset on ${mathPages} pages; ${chapterImages} output figures in ${chapters.length} chapters`);
  ok = problems.length === 0;
} catch (e) {
  problems.push(`test aborted at ${current}: ${e.message}`);
} finally {
  await ctx.close();
  fs.rmSync(ctx.userDataDir, { recursive: true, force: true });
}
for (const p of problems.slice(0, 200)) console.error('  ' + p);
if (problems.length > 200) console.error(`  ... and ${problems.length - 200} more`);
log(ok ? `PASSED (${pages.length} pages)` : `FAILED (${problems.length} problems)`);
process.exit(ok ? 0 : 1);
