// What the dock and the station tests do the same way: scan as a barcode gun does, and read the full-screen
// verdict panel both screens share (web/src/dock/verdict.tsx).
import type { Page } from 'playwright-core';

/** A barcode gun: keystrokes into whatever field has the focus, then Enter. */
export async function scan(page: Page, value: string): Promise<void> {
  await page.keyboard.type(value);
  await page.keyboard.press('Enter');
}

/** The verdict panel once it shows `word` (ACCEPTED, REJECTED…) for `serial`: its tone and its text. */
export async function verdict(page: Page, word: string, serial: string) {
  await page.waitForFunction(
    ([w, s]) => {
      const el = document.querySelector('.verdict');
      return (
        !!el && el.querySelector('.verdict-word')?.textContent?.includes(w!) && el.textContent?.includes(s!)
      );
    },
    [word, serial],
  );
  const panel = page.locator('.verdict');
  return { tone: await panel.getAttribute('data-tone'), text: (await panel.textContent()) ?? '' };
}
