/** Debian's Chromium driven by playwright-core (no browser download; test/setup/ensure-chromium.sh installs it). */
import { chromium, type Browser } from 'playwright-core';

/** Where Debian puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, sandbox-less (containers), and with every background fetch Chromium makes on its own turned off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
