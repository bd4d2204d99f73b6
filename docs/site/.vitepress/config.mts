import { existsSync, readFileSync } from "node:fs";
import { type DefaultTheme, defineConfig } from "vitepress";

/** The sidebar TypeDoc (typedoc-vitepress-theme) writes next to the API pages. */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = new URL("../api/typedoc-sidebar.json", import.meta.url);
  if (!existsSync(file))
    throw new Error("site/api/ is missing: build the site with `pnpm run docs` (scripts/build.mjs)");
  return JSON.parse(readFileSync(file, "utf8")) as DefaultTheme.SidebarItem[];
}

/** The CLI pages scripts/cli-reference.mjs wrote, from its index. */
function cliSidebar(): DefaultTheme.SidebarItem[] {
  const index = readFileSync(new URL("../cli/index.md", import.meta.url), "utf8");
  return [...index.matchAll(/\[`psapi ([a-z-]+)`\]/g)].map((match) => ({
    text: `psapi ${match[1]}`,
    link: `/cli/${match[1]}`,
  }));
}

const guides: DefaultTheme.SidebarItem = {
  text: "Guides",
  items: [
    { text: "Getting started", link: "/guide/getting-started" },
    { text: "Migrating from the retired contract", link: "/guide/migrating" },
    { text: "Testing offline with the emulator", link: "/guide/testing-offline" },
    { text: "Batches and fleets", link: "/guide/batches" },
    { text: "Troubleshooting", link: "/guide/troubleshooting" },
  ],
};

const httpReference: DefaultTheme.SidebarItem = {
  text: "HTTP reference",
  items: [
    { text: "Photoshop API (current)", link: "/http/photoshop-current.html", target: "_self" },
    { text: "Photoshop API v1 (retired)", link: "/http/photoshop.html", target: "_self" },
    { text: "Adobe IMS", link: "/http/ims.html", target: "_self" },
    { text: "Emulator control API", link: "/http/emulator.html", target: "_self" },
  ],
};

export default defineConfig({
  title: "psapi",
  description:
    "A TypeScript toolkit for Adobe's Photoshop API: typed client, IMS auth, batches and an offline emulator.",
  outDir: "../dist",
  // Plain .html files, so that any static server (and `pnpm run docs:serve`) serves the site.
  cleanUrls: false,
  lastUpdated: false,
  // The HTTP reference pages are plain HTML in public/, which VitePress does not resolve as pages.
  ignoreDeadLinks: [/^\/http\//],
  themeConfig: {
    nav: [
      { text: "Guides", link: "/guide/getting-started" },
      { text: "API", link: "/api/" },
      { text: "CLI", link: "/cli/" },
      { text: "HTTP", link: "/http/photoshop-current.html", target: "_self" },
      { text: "Errors", link: "/errors/" },
    ],
    sidebar: {
      "/guide/": [guides, { text: "Errors", link: "/errors/" }, httpReference],
      "/errors/": [
        {
          text: "Errors",
          items: [
            { text: "Exit codes", link: "/errors/" },
            ...[1, 2, 3, 4, 130].map((code) => ({ text: `Exit code ${code}`, link: `/errors/exit-${code}` })),
            { text: "API error codes", link: "/errors/api/" },
          ],
        },
        guides,
      ],
      "/api/": [{ text: "Packages", link: "/api/" }, ...apiSidebar()],
      "/cli/": [{ text: "CLI reference", link: "/cli/" }, ...cliSidebar()],
      "/": [guides, httpReference, { text: "API", link: "/api/" }, { text: "CLI", link: "/cli/" }],
    },
    // MiniSearch in the browser over an index built with the site: no search service.
    search: { provider: "local" },
    outline: [2, 3],
  },
});
