// @ts-check
// The inspector's only script (served from the emulator's package as /__emulator/ui/assets/inspector.js,
// allowed by the page's CSP as 'self'). The server renders every view with Hono's JSX; this script
// (1) listens to the control API's event stream and, when something changed, fetches the current
// view again and swaps its live region, and (2) sends the page's forms to the control API as JSON.
// It never builds HTML from strings: new content comes from the server's escaped rendering,
// parsed by DOMParser (which runs no script) and moved in as nodes; messages go in as textContent.

const KEYS = ["data-id", "data-token", "data-fault", "data-job"];

/** @param {string} text @param {"ok" | "error"} kind */
function say(text, kind) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = text;
  status.dataset.kind = kind;
}

/**
 * Where the focused element sits in the live region: the key of its closest keyed ancestor and
 * the child-index path below it, so focus survives a refresh (keyboard users).
 * @param {Element} root
 * @returns {{ key: string | undefined; path: number[] } | undefined}
 */
function focusPlace(root) {
  const active = document.activeElement;
  if (!active || !root.contains(active) || active === root) return undefined;
  /** @type {number[]} */
  const path = [];
  let node = active;
  while (node !== root && node.parentElement) {
    const keyed = KEYS.find((name) => node.hasAttribute(name));
    if (keyed) return { key: `[${keyed}="${CSS.escape(node.getAttribute(keyed) ?? "")}"]`, path };
    path.unshift([...node.parentElement.children].indexOf(node));
    node = node.parentElement;
  }
  return { key: undefined, path };
}

/** @param {Element} root @param {{ key: string | undefined; path: number[] }} place */
function restoreFocus(root, place) {
  /** @type {Element | null} */
  let node = place.key ? root.querySelector(place.key) : root;
  for (const index of place.path) node = node?.children[index] ?? null;
  if (node instanceof HTMLElement) node.focus({ preventScroll: true });
}

let refreshing = false;
let again = false;

/** Fetches the current view again and swaps its live region and the clock. */
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    const response = await fetch(location.href, { headers: { accept: "text/html" }, cache: "no-store" });
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    const current = document.getElementById("live");
    const fresh = next.getElementById("live");
    if (current && fresh) {
      const open = new Set(
        [...current.querySelectorAll("details[open]")].map((d) => d.getAttribute("data-id")),
      );
      for (const details of fresh.querySelectorAll("details")) {
        if (open.has(details.getAttribute("data-id"))) details.open = true;
      }
      const place = focusPlace(current);
      const adopted = document.adoptNode(fresh);
      current.replaceWith(adopted);
      if (place) restoreFocus(adopted, place);
    }
    const clock = document.getElementById("clock-now");
    const freshClock = next.getElementById("clock-now");
    if (clock && freshClock) clock.textContent = freshClock.textContent;
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? "0") + 1);
  } catch {
    // The emulator stopped or restarted: the event stream reconnects and brings the next refresh.
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let pending;
/** Coalesces a burst of changes (a job's requests, a test's calls) into one refresh. */
function scheduleRefresh() {
  if (pending !== undefined) return;
  pending = setTimeout(() => {
    pending = undefined;
    void refresh();
  }, 100);
}

function listen() {
  const events = new EventSource("/__emulator/events");
  for (const kind of ["journal", "jobs", "state"]) events.addEventListener(kind, scheduleRefresh);
  events.addEventListener("open", () => {
    document.body.dataset.live = "on";
  });
  events.addEventListener("error", () => {
    document.body.dataset.live = "off";
  });
}

/**
 * The JSON body of a form: inputs by name, `data-json="number"` ones as numbers, checked boxes as
 * `true`, empty fields left out, and the submitting button's own value when it has a name.
 * @param {HTMLFormElement} form @param {HTMLElement | null} submitter
 */
function formBody(form, submitter) {
  /** @type {Record<string, unknown>} */
  const body = {};
  /** @param {HTMLInputElement | HTMLSelectElement | HTMLButtonElement} field */
  const take = (field) => {
    if (!field.name || field.value === "") return;
    body[field.name] = field.dataset.json === "number" ? Number(field.value) : field.value;
  };
  for (const field of form.elements) {
    if (field instanceof HTMLInputElement && field.type === "checkbox") {
      if (field.checked) body[field.name] = true;
    } else if (field instanceof HTMLInputElement || field instanceof HTMLSelectElement) {
      take(field);
    }
  }
  if (submitter instanceof HTMLButtonElement) take(submitter);
  return body;
}

/** @param {Response} response */
async function problem(response) {
  try {
    const body = await response.json();
    const reasons = Array.isArray(body.details)
      ? body.details.map((/** @type {{ reason?: string }} */ d) => d.reason).filter(Boolean)
      : Array.isArray(body.reason)
        ? body.reason.map((/** @type {{ message?: string }} */ r) => r.message).filter(Boolean)
        : [];
    return [body.title ?? body.message ?? `HTTP ${response.status}`, ...reasons].join(": ");
  } catch {
    return `HTTP ${response.status}`;
  }
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.action) return;
  event.preventDefault();
  const method = form.dataset.method ?? "POST";
  const body = formBody(form, /** @type {HTMLElement | null} */ (event.submitter));
  /** @type {RequestInit} */
  const init = { method, headers: {} };
  if (method !== "DELETE" && Object.keys(body).length > 0) {
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const label = form.getAttribute("aria-label") ?? "Action";
  try {
    const response = await fetch(form.dataset.action, init);
    if (!response.ok) {
      say(`${label} failed: ${await problem(response)}`, "error");
      return;
    }
    say(`${label}: done`, "ok");
  } catch {
    say(`${label} failed: the emulator did not answer`, "error");
    return;
  }
  await refresh();
});

listen();
