/**
 * The example app in a real browser: headless Chromium (Debian's `chromium`, driven by
 * playwright-core) loads the demo page served by a real `workerd serve`, joins a chat room over
 * WebSocket, follows the pet feed over EventSource, adds a pet through a validated, authorised
 * POST, and sees the message and the event arrive. A screenshot is kept in .tmp/ for a look.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildForWorkerd, type PiBuildResult } from "../../scripts/pi-config.ts";
import { freePort, startWorkerd, type WorkerdProcess } from "../../src/build/workerd-process.ts";

const CHROMIUM = process.env.BRRT_CHROMIUM ?? "/usr/bin/chromium";
// As root in a container: no sandbox; and no background traffic to hosts this machine cannot reach.
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("the demo page in headless Chromium", () => {
  let dir: string;
  let built: PiBuildResult;
  let workerd: WorkerdProcess | undefined;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
    }
    dir = await mkdtemp(path.join(os.tmpdir(), "brrt-browser-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    built = await buildForWorkerd({
      wranglerConfig: path.resolve("wrangler.toml"),
      buildDir: path.join(dir, ".build"),
      configFile: path.join(dir, "config.capnp"),
      dataDir: path.join(dir, "data"),
      listen: `127.0.0.1:${port}`,
      secrets: [],
    });
    workerd = await startWorkerd({ configFile: built.configFile, port, readyPath: "/openapi.json", cwd: dir });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await workerd?.stop(30_000);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("chats over WebSocket and follows pet events over SSE", async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    // Every failed response except the browser's own favicon probe and the refusal provoked below.
    const failures: string[] = [];
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (response.status() >= 400 && url.pathname !== "/favicon.ico") failures.push(`${response.status()} ${url.pathname}`);
    });
    page.on("pageerror", (error) => failures.push(`page error: ${error.message}`));
    await page.goto(`${base}/?room=browser-test`);
    // Readiness signal from the page itself: both the socket and the stream are open.
    await page.waitForFunction(() => (globalThis as unknown as { brrtReady?: boolean }).brrtReady === true);

    await page.fill("#say input[name=text]", "hello from chromium");
    await page.click("#say button");
    await page.waitForSelector("#chat li:has-text('hello from chromium')");

    await page.fill("#add input[name=name]", "Browser Cat");
    await page.selectOption("#add select[name=species]", "cat");
    await page.fill("#add input[name=key]", "demo-key-1");
    await page.click("#add button");
    await page.waitForSelector("#feed li:has-text('new: Browser Cat')");

    // A refused request shows the problem's detail, not a crash.
    await page.fill("#add input[name=name]", "Nobody");
    await page.fill("#add input[name=key]", "wrong-key");
    await page.click("#add button");
    await page.waitForSelector("#feed li:has-text('refused:')");

    expect(await page.textContent("#status")).toBe("connected");
    expect(failures).toEqual(["401 /pets"]);
    await mkdir(".tmp", { recursive: true });
    await page.screenshot({ path: ".tmp/browser-demo.png", fullPage: true });
    await context.close();
  });
});
