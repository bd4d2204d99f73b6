/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";

/*
 * The inspector's pages, rendered on the server with Hono's JSX: every value from a request (path,
 * query, headers, body, file names, error texts) is a JSX text child or attribute, which Hono
 * escapes, so hostile input shows as text. Nothing here writes raw HTML.
 */

/** The inspector's views, in navigation order. */
export const VIEWS = [
  { id: "requests", title: "Requests" },
  { id: "jobs", title: "Jobs" },
  { id: "tokens", title: "Tokens" },
  { id: "faults", title: "Faults and limits" },
  { id: "clock", title: "Clock and state" },
  { id: "cassette", title: "Cassette" },
] as const;

/** One view's id. */
export type ViewId = (typeof VIEWS)[number]["id"];

/** Where the inspector lives. */
export const UI_PATH = "/__emulator/ui";

/** An emulator time as ISO 8601. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** "in 23 h 59 min" / "2 min ago", for a time on the emulator's clock. */
export function relative(at: number, now: number): string {
  const ms = Math.abs(at - now);
  if (ms < 1000) return "now";
  const parts: string[] = [];
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (minutes && !days) parts.push(`${minutes} min`);
  if (parts.length === 0) parts.push(`${Math.floor((ms % 60_000) / 1000)} s`);
  return at >= now ? `in ${parts.join(" ")}` : `${parts.join(" ")} ago`;
}

/** The CSS class of a response status. */
export const statusClass = (status: number) =>
  status === 0 ? "st-reset" : status >= 500 ? "st-5xx" : status >= 400 ? "st-4xx" : "st-ok";

/** A form the page's script sends to the control API as JSON (see inspector-assets/inspector.js). */
export const ActionForm: FC<{
  action: string;
  method?: string;
  label?: string;
  class?: string;
  children?: Child;
}> = ({ action, method = "POST", label, children, ...rest }) => (
  <form data-action={action} data-method={method} aria-label={label} class={rest.class}>
    {children}
  </form>
);

/** The page around every view: navigation, the emulator's clock, a status line for actions. */
export const Layout: FC<{ view: ViewId; now: number; children?: Child }> = ({ view, now, children }) => {
  const title = VIEWS.find((v) => v.id === view)?.title ?? "";
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${title} · psapi emulator`}</title>
        <link rel="stylesheet" href={`${UI_PATH}/assets/inspector.css`} />
        <link rel="icon" href={`${UI_PATH}/assets/icon.svg`} type="image/svg+xml" />
        <script type="module" src={`${UI_PATH}/assets/inspector.js`} />
      </head>
      <body data-view={view}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <h1>psapi emulator</h1>
          <nav aria-label="Views">
            <ul>
              {VIEWS.map((v) => (
                <li>
                  <a href={`${UI_PATH}/${v.id}`} aria-current={v.id === view ? "page" : undefined}>
                    {v.title}
                  </a>
                </li>
              ))}
              <li>
                <a href="/__emulator/docs">HTTP reference</a>
              </li>
            </ul>
          </nav>
          <p class="clock">
            emulator time <time id="clock-now">{iso(now)}</time>
          </p>
        </header>
        <main id="main" tabindex={-1}>
          <h2>{title}</h2>
          <p id="status" role="status" aria-live="polite" />
          {children}
        </main>
      </body>
    </html>
  );
};

/** A caption and its name/value pairs, as a definition list. */
export const KeyValues: FC<{ caption: string; values: Record<string, string> | undefined }> = ({
  caption,
  values,
}) => {
  const rows = Object.entries(values ?? {});
  if (rows.length === 0) return <p class="muted">{`no ${caption.toLowerCase()}`}</p>;
  return (
    <table class="kv">
      <caption>{caption}</caption>
      <tbody>
        {rows.map(([name, value]) => (
          <tr>
            <th scope="row">{name}</th>
            <td>
              <code>{value}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
