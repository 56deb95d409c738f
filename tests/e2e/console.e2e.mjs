// End-to-end: the web console in Debian's Chromium against a real hub with
// the demo registry (started by tests/e2e/run.sh). The story of the issue:
// Hồ Chí Minh City's member admin requests an agreement to look up citizens,
// the Ministry of Public Security's admin approves it in the inbox, the city's
// one-stop shop makes the exchange, and an auditor finds it in the audit
// search and verifies the chain. Screenshots of each page go to
// LT_SCREENSHOT_DIR. Fails (exit 1) on the first unmet expectation, on any
// page error or console error (a CSP violation included), and on any form
// control without a label.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run tests/e2e/run.sh)`);
  return value;
};
const consoleUrl = env("LT_CONSOLE_URL");
const exchangePort = Number(env("LT_EXCHANGE_PORT"));
const tokens = {
  cityAdmin: env("LT_TOKEN_CITY_ADMIN"),
  ministryAdmin: env("LT_TOKEN_MINISTRY_ADMIN"),
  auditor: env("LT_TOKEN_AUDITOR"),
  hubAdmin: env("LT_TOKEN_HUB_ADMIN"),
};
const pkiDir = env("LT_PKI_DIR");
const screenshotDir = env("LT_SCREENSHOT_DIR");
const here = path.dirname(fileURLToPath(import.meta.url));

const CITY_SYSTEM = "VN/PROV/000.00.00.H29/MOTCUA-HCM";
const POPULATION = "VN/GOV/000.00.00.G03/DANCU";

function step(text) {
  console.log(`e2e: ${text}`);
}

// Every UI string exists in both languages.
async function checkTranslations() {
  const consoleDir = path.join(here, "..", "..", "console");
  const en = (await import(path.join(consoleDir, "i18n", "en.js"))).default;
  const vi = (await import(path.join(consoleDir, "i18n", "vi.js"))).default;
  assert.deepEqual(Object.keys(vi).sort(), Object.keys(en).sort(), "vi.js and en.js have the same keys");
}

// A one-stop shop (`system`: MOTCUA-HCM or MOTCUA-HN) calls the population
// registry through the hub with its own client certificate (mTLS).
function exchange(messageId, { system = "MOTCUA-HCM", idNumber = "001173107163" } = {}) {
  const member = system === "MOTCUA-HN" ? "VN/PROV/000.00.00.H26" : "VN/PROV/000.00.00.H29";
  const envelope = JSON.stringify({
    header: {
      id: messageId,
      from: `${member}/${system}`,
      to: POPULATION,
      service: "citizen-lookup",
      version: "v1",
      purpose: "Xác minh nhân thân khi đăng ký hộ kinh doanh (identity check, e2e test)",
      userId: "can-bo-e2e",
    },
    body: { idNumber },
  });
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: "127.0.0.1",
        port: exchangePort,
        path: "/exchange/v1/messages",
        method: "POST",
        servername: "localhost",
        ca: readFileSync(path.join(pkiDir, "ca.crt")),
        cert: readFileSync(path.join(pkiDir, `${system}.crt`)),
        key: readFileSync(path.join(pkiDir, `${system}.key`)),
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(envelope) },
      },
      (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode, body }));
      },
    );
    request.on("error", reject);
    request.end(envelope);
  });
}

const problems = [];
function watch(page) {
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Refused API calls (the wrong token, on purpose) are checked through the
    // page instead; anything else logged as an error is a defect.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource: the server responded with a status of 401"))
      problems.push(`console error: ${message.text()}`);
  });
}

// Every visible form control has a label (its own, or aria-label).
async function checkLabels(page, where) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((c) => c.type !== "hidden" && c.labels.length === 0 && !c.getAttribute("aria-label"))
      .map((c) => c.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, [], `unlabelled controls on ${where}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

async function signIn(page, token, { english = true } = {}) {
  await page.goto(consoleUrl);
  if (english) await page.selectOption("#lang", "en");
  const label = english ? "Admin token" : "Mã truy cập quản trị";
  await page.getByLabel(label).fill(token);
  await page.getByRole("button", { name: english ? "Sign in" : "Đăng nhập" }).click();
  await page.getByRole("button", { name: english ? "Sign out" : "Đăng xuất" }).waitFor();
  await page.locator("main h1").waitFor();  // the role's first page has rendered
}

async function signOut(page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Admin token").waitFor();
}

// The navigation's links once they are `expected`, or as they are after 5 s
// (for the assertion to show). The header is redrawn on every route change,
// so a read right after signing in can catch it between two renders (CI saw
// an empty list once); the pages a role sees must settle, not flash by.
async function navLinks(page, expected) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const links = await page.locator("#nav a").allTextContents();
    if (JSON.stringify(links) === JSON.stringify(expected) || Date.now() > deadline) return links;
    await page.waitForTimeout(50);
  }
}

async function main() {
  await checkTranslations();
  const browser = await chromium.launch({
    executablePath: process.env.LT_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    // The hub's certificate comes from the development CA.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    watch(page);

    step("the sign-in page, in Vietnamese by default");
    await page.goto(consoleUrl);
    await page.getByRole("heading", { name: "Đăng nhập" }).waitFor();
    await checkLabels(page, "sign-in");
    await shot(page, "signin");
    await page.getByLabel("Mã truy cập quản trị").fill("lta_wrong");
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByRole("alert").filter({ hasText: "không được chấp nhận" }).waitFor();

    step("the city's member admin requests an agreement");
    await signIn(page, tokens.cityAdmin);
    const memberPages = ["Registry", "Agreements"];
    assert.deepEqual(await navLinks(page, memberPages), memberPages, "a member admin sees no audit pages");
    await page.goto(`${consoleUrl}#/agreements`);
    await page.getByRole("heading", { name: "Request an agreement" }).waitFor();
    await page.getByLabel("Your calling system").selectOption(CITY_SYSTEM);
    const serviceSelect = page.getByLabel("Service", { exact: true });
    const serviceOption = await serviceSelect
      .locator("option", { hasText: `${POPULATION} · citizen-lookup` })
      .getAttribute("value");
    await serviceSelect.selectOption(serviceOption);
    await page.getByLabel("Purpose (why the data is needed)").fill("Xác minh nhân thân khi đăng ký hộ kinh doanh");
    await page.getByLabel("Legal basis").fill("Nghị định 47/2024/NĐ-CP, Điều 12 (e2e test)");
    await checkLabels(page, "agreements");
    await page.getByRole("button", { name: "Send the request" }).click();
    const sent = await page.getByRole("status").filter({ hasText: "requested" }).textContent();
    const agreementId = sent.match(/Agreement (\d+) requested/)[1];
    step(`agreement ${agreementId} requested`);
    await shot(page, "agreements-request");
    await signOut(page);

    step("the ministry's admin approves it from the inbox");
    await signIn(page, tokens.ministryAdmin);
    await page.goto(`${consoleUrl}#/agreements`);
    const inbox = page.locator("section.inbox");
    await inbox.getByRole("cell", { name: CITY_SYSTEM }).waitFor();
    await shot(page, "agreements-inbox");
    await inbox.locator(`button[data-action="approve"][data-agreement="${agreementId}"]`).click();
    await page.getByRole("status").filter({ hasText: `Agreement ${agreementId} is now approved` }).waitFor();
    assert.equal(await inbox.getByText("No requests are waiting for you.").count(), 1);
    await signOut(page);

    step("the city's one-stop shop makes the exchange");
    const messageId = `e2e-${Date.now()}`;
    const answer = await exchange(messageId);
    assert.equal(answer.status, 200, `exchange answered ${answer.status}: ${answer.body}`);
    // Some traffic from Hà Nội as well, two of it refused (not a 12-digit ID),
    // so the traffic page has more than one pair and an error rate to show.
    for (let i = 0; i < 12; ++i) {
      const refused = i % 6 === 5;
      const other = await exchange(`e2e-hn-${Date.now()}-${i}`, { system: "MOTCUA-HN", idNumber: refused ? "12AB" : "001173107163" });
      assert.equal(other.status, refused ? 400 : 200, other.body);
    }

    step("the auditor finds it and verifies the chain");
    await signIn(page, tokens.auditor);
    const hubAdminPages = ["Connectivity", "Registry", "Agreements", "Traffic", "Audit"];
    assert.deepEqual(await navLinks(page, hubAdminPages), hubAdminPages);
    await page.goto(`${consoleUrl}#/audit`);
    await page.getByLabel("Consumer").fill(CITY_SYSTEM);
    await page.getByLabel("Message id").fill(messageId);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    // The page first lists the last day's records; the filtered search replaces them.
    await page.waitForFunction(() => document.querySelectorAll("main tbody tr").length === 1);
    const row = page.getByRole("row").filter({ hasText: messageId });
    await row.waitFor();
    await row.getByRole("button").click();
    await page.getByRole("heading", { name: /^Record \d+$/ }).waitFor();
    assert.ok((await page.locator("dl.record").textContent()).includes("citizen-lookup"));
    // The export is the same selection, streamed as a file.
    const [exported] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    assert.equal(exported.suggestedFilename(), "audit-export.csv");
    const csv = readFileSync(await exported.path(), "utf8");
    assert.ok(csv.includes(messageId), "the export holds the exchange");
    assert.equal(csv.trim().split("\n").length, 2, "a header line and the one record");
    await page.getByRole("button", { name: "Verify the selected period" }).click();
    await page.getByRole("status").filter({ hasText: "The chain is intact" }).waitFor();

    step("the auditor verifies the whole log, and the next time against the heads this browser kept");
    await page.locator("#audit-heads-status").filter({ hasText: "No chain heads kept" }).waitFor();
    await page.getByRole("button", { name: "Verify the whole log" }).click();
    await page.getByText("The heads of this verification are now kept in this browser.").waitFor();
    await page.locator("#audit-heads-status").filter({ hasText: /the heads of \d+ chains/ }).waitFor();
    const [headsFile] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download heads file" }).click()]);
    assert.equal(headsFile.suggestedFilename(), "audit-heads.json");
    const kept = JSON.parse(readFileSync(await headsFile.path(), "utf8"));
    assert.equal(kept.format, "lienthong-audit-heads/1", "the file `audit verify --expect` reads");
    assert.ok(kept.heads.some((head) => head.node === "admin-changes" && head.seq > 0), kept);
    await page.getByRole("button", { name: "Verify the whole log" }).click();
    await page.getByText(/The log still extends the heads verified/).waitFor();
    await checkLabels(page, "audit");
    await shot(page, "audit");
    // A kept head the database no longer reaches: records were removed since.
    await page.evaluate(() => {
      const heads = JSON.parse(localStorage.getItem("lienthong.audit.heads"));
      heads.heads[0].seq += 1000000;
      localStorage.setItem("lienthong.audit.heads", JSON.stringify(heads));
    });
    await page.getByRole("button", { name: "Verify the whole log" }).click();
    await page.getByRole("alert").filter({ hasText: /truncated .* were removed/ }).waitFor();
    await page.getByText("The heads verified before are kept; nothing was replaced.").waitFor();

    step("connectivity, traffic and registry pages");
    await page.goto(`${consoleUrl}#/connectivity`);
    const figure = await page.locator("#headline-figure").textContent();
    assert.match(figure, /^\d+([.,]\d)?%$/, "the headline share");
    const pairs = await page.locator("#member-pairs").textContent();
    assert.match(pairs, /\d+([.,]\d)?% .*\(\d+ .* \d+\)/, "the share of ministry and province pairs");
    assert.ok((await page.locator("svg.graph .node").count()) >= 5, "every demo system is a node");
    // The peer hub run.sh registered, whose catalogue was never pulled.
    await page.getByRole("heading", { name: "Peer hubs" }).waitFor();
    await page.getByRole("cell", { name: "VN-HN" }).waitFor();
    await page.getByRole("cell", { name: /^Never pulled\./ }).waitFor();
    // ... and in the map: a square for its instance, marked stale (no catalogue).
    const peerNode = page.locator("svg.graph .node.instance", { hasText: "VN-HN" });
    assert.equal(await peerNode.count(), 1, "the peer hub's instance is in the map");
    assert.match(await peerNode.getAttribute("class"), /\bstale\b/, "a peer never pulled is drawn stale");
    assert.match(await peerNode.locator("title").textContent(), /Never pulled/, "its tooltip says why");
    await shot(page, "connectivity");
    await page.goto(`${consoleUrl}#/traffic`);
    await page.getByRole("table").getByRole("cell", { name: CITY_SYSTEM }).first().waitFor();
    await checkLabels(page, "traffic");
    await shot(page, "traffic");
    await signOut(page);

    await signIn(page, tokens.hubAdmin);
    await page.goto(`${consoleUrl}#/registry/systems`);
    await page.getByRole("button", { name: "3" }).click();  // the land registry, id 3
    await page.getByRole("heading", { name: /Details:/ }).waitFor();
    await checkLabels(page, "registry");
    // An edit goes out as a PATCH of the changed field, with the ETag it was read with.
    const editor = page.locator("form.editor textarea");
    const edited = JSON.parse(await editor.inputValue());
    edited.name = "Hệ thống thông tin đất đai (land registry, SOAP 1.1; edited by the e2e test)";
    await editor.fill(JSON.stringify(edited, null, 2));
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("pre.json", { hasText: "edited by the e2e test" }).waitFor();
    await shot(page, "registry");

    step("Vietnamese, and a tablet-sized window");
    await page.selectOption("#lang", "vi");
    await page.goto(`${consoleUrl}#/connectivity`);
    await page.getByRole("heading", { name: "Kết nối", exact: true }).waitFor();
    await page.setViewportSize({ width: 768, height: 1024 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at 768 px (overflow ${overflow} px)`);
    await shot(page, "connectivity-tablet-vi");

    step("keyboard: the first Tab reaches the skip link");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.className), "skip");

    assert.deepEqual(problems, [], "no page or console errors");
    step("passed");
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`e2e: FAILED: ${error.stack || error}`);
  if (problems.length) console.error(problems.join("\n"));
  process.exit(1);
});
