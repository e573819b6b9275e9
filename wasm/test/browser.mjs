// Launches Debian's Chromium through playwright-core, headless, with the flags a CI box needs.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** A headless Chromium; close it when done. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // Hidden pages keep full-speed timers: the tests run several pages side by side.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

/**
 * Opens `url` in a fresh context (its own localStorage). `errors` collects uncaught page errors;
 * `logs` the console (the browser logs refused WebSocket connections there, which tests provoke).
 */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const logs = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => logs.push(`${message.type()}: ${message.text()}`));
  await page.goto(url);
  return { page, errors, logs, close: () => context.close() };
}
