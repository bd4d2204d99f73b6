// @ts-check
// Starts Redoc (reference-assets/redoc.standalone.js, loaded before this file) on the spec the
// page names in #redoc's data-spec. Search is off: it would start a blob: worker, which the page's
// Content-Security-Policy does not allow.

/** @type {{ Redoc?: { init(spec: string, options: object, element: HTMLElement): void } }} */
const global = /** @type {never} */ (window);
const root = document.getElementById("redoc");
if (root?.dataset.spec && global.Redoc) {
  global.Redoc.init(
    root.dataset.spec,
    { disableSearch: true, expandResponses: "200,202", jsonSampleExpandLevel: 3 },
    root,
  );
}
