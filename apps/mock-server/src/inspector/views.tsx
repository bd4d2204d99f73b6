/** @jsxImportSource hono/jsx */
import type { components } from "@psapi/openapi-types/emulator";
import type { Child, FC } from "hono/jsx";
import type { JournalEntry } from "../control/journal.js";

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
] as const;

/** One view's id. */
export type ViewId = (typeof VIEWS)[number]["id"];

/** Where the inspector lives. */
export const UI_PATH = "/__emulator/ui";

const iso = (ms: number) => new Date(ms).toISOString();

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

const statusClass = (status: number) =>
  status === 0 ? "st-reset" : status >= 500 ? "st-5xx" : status >= 400 ? "st-4xx" : "st-ok";

/** A form the page's script sends to the control API as JSON (see inspector-assets/inspector.js). */
const ActionForm: FC<{
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

/** A journal entry with what the inspector shows of its request. */
export type InspectorEntry = JournalEntry;

/** The requests view's filters, as the query string gives them. */
export interface RequestFilter {
  method?: string;
  path?: string;
  status?: string;
  clientId?: string;
}

const KeyValues: FC<{ caption: string; values: Record<string, string> | undefined }> = ({
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

/** Requests: the journal, newest first, filterable, each entry opening to its detail. */
export const RequestsView: FC<{
  entries: readonly InspectorEntry[];
  filter: RequestFilter;
  clients: readonly string[];
}> = ({ entries, filter, clients }) => (
  <>
    <form class="filters" method="get" aria-label="Filter requests">
      <label>
        Method
        <select name="method">
          {["", "GET", "POST", "PUT", "DELETE", "HEAD"].map((m) => (
            <option value={m} selected={(filter.method ?? "") === m}>
              {m || "any"}
            </option>
          ))}
        </select>
      </label>
      <label>
        Route starts with
        <input name="path" type="text" value={filter.path ?? ""} placeholder="/sensei/" />
      </label>
      <label>
        Status
        <input name="status" type="number" min="0" max="599" value={filter.status ?? ""} />
      </label>
      <label>
        Client
        <select name="clientId">
          <option value="">any</option>
          {clients.map((id) => (
            <option value={id} selected={filter.clientId === id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Filter</button>
    </form>
    <div id="live" aria-live="off">
      <p class="muted">
        {entries.length === 0
          ? "No request yet (the control API's own calls are not recorded)."
          : `${entries.length} request${entries.length === 1 ? "" : "s"}, newest first`}
      </p>
      <ol class="journal">
        {entries.map((entry) => {
          const query = new URLSearchParams(entry.query).toString();
          return (
            <li>
              <details data-id={String(entry.id)}>
                <summary>
                  <span class={`status ${statusClass(entry.status)}`}>{entry.status || "reset"}</span>{" "}
                  <span class="method">{entry.method}</span> <span class="path">{entry.path}</span>
                  <span class="meta">
                    {entry.durationMs} ms · {entry.clientId ?? "no client"} · <time>{entry.time}</time>
                    {entry.fault ? ` · fault ${entry.fault}` : ""}
                  </span>
                </summary>
                <dl class="entry">
                  <dt>Method</dt>
                  <dd>{entry.method}</dd>
                  <dt>Path</dt>
                  <dd>
                    <code>{query ? `${entry.path}?${query}` : entry.path}</code>
                  </dd>
                  <dt>Status</dt>
                  <dd>{entry.error ? `${entry.status} (${entry.error})` : String(entry.status)}</dd>
                  <dt>Latency</dt>
                  <dd>{`${entry.durationMs} ms on the emulator's clock`}</dd>
                  {entry.fault ? (
                    <>
                      <dt>Fault</dt>
                      <dd>{entry.fault}</dd>
                    </>
                  ) : null}
                </dl>
                <KeyValues caption="Headers" values={entry.request?.headers} />
                <h4>Body</h4>
                <pre class="body">{entry.request?.body ?? "(none)"}</pre>
              </details>
            </li>
          );
        })}
      </ol>
    </div>
  </>
);

/** One job as the jobs view shows it. */
export interface InspectorJob {
  jobId: string;
  kind: string;
  clientId: string;
  status: string;
  created: number;
  modified: number;
  errors?: { type: string; code: number; title: string; details?: unknown };
  /** `boxes`: how many boxes (mask-objects results) the thumbnail has drawn over it. */
  images: readonly { index: number; role: string; label: string; stored: boolean; boxes: number }[];
}

/** Jobs: operation, state, timings, error, and the input and output images side by side. */
export const JobsView: FC<{ jobs: readonly InspectorJob[]; now: number }> = ({ jobs, now }) => (
  <div id="live">
    {jobs.length === 0 ? <p class="muted">No job yet.</p> : null}
    {jobs.map((job) => (
      <article class="job" data-job={job.jobId} data-status={job.status}>
        <h3>
          <span class={`state state-${job.status}`}>{job.status}</span> {job.kind} <code>{job.jobId}</code>
        </h3>
        <dl class="timings">
          <dt>Client</dt>
          <dd>{job.clientId}</dd>
          <dt>Created</dt>
          <dd>
            <time>{iso(job.created)}</time> ({relative(job.created, now)})
          </dd>
          <dt>Last change</dt>
          <dd>
            <time>{iso(job.modified)}</time>
          </dd>
          <dt>Took</dt>
          <dd>{`${job.modified - job.created} ms`}</dd>
        </dl>
        {job.errors ? (
          <div class="error" role="note">
            <strong>{`${job.errors.code} ${job.errors.type}`}</strong>: {job.errors.title}
            {job.errors.details ? <pre>{JSON.stringify(job.errors.details, null, 2)}</pre> : null}
          </div>
        ) : null}
        <div class="images">
          {job.images.map((image) => (
            <figure class={`thumb ${image.role}`}>
              {image.stored ? (
                <img
                  src={`/__emulator/jobs/${encodeURIComponent(job.jobId)}/thumbnails/${image.index}?v=${job.modified}`}
                  alt={`${image.label} of job ${job.jobId}`}
                  data-role={image.role}
                  data-boxes={image.boxes > 0 ? image.boxes : undefined}
                />
              ) : (
                <p class="muted">not in the emulator's store</p>
              )}
              <figcaption>
                {`${image.role}: ${image.label}`}
                {image.boxes > 0
                  ? `, ${image.boxes} ${image.boxes === 1 ? "box" : "boxes"} drawn over it`
                  : ""}
              </figcaption>
            </figure>
          ))}
          {job.status === "pending" || job.status === "running" ? (
            <figure class="thumb output pending">
              <p class="muted">output when the job ends</p>
            </figure>
          ) : null}
        </div>
      </article>
    ))}
  </div>
);

/** One issued token as the tokens view shows it (never the token itself): as the control API lists it. */
export type InspectorToken = components["schemas"]["IssuedToken"];

/** Tokens and clients: issued tokens (redacted) with their expiry on the emulator's clock, revoke. */
export const TokensView: FC<{
  tokens: readonly InspectorToken[];
  clients: readonly string[];
  now: number;
}> = ({ tokens, clients, now }) => (
  <div id="live">
    <table class="grid" aria-label="Issued access tokens">
      <thead>
        <tr>
          <th scope="col">Token</th>
          <th scope="col">Client</th>
          <th scope="col">Scopes</th>
          <th scope="col">Expires (emulator clock)</th>
          <th scope="col">State</th>
          <th scope="col">Action</th>
        </tr>
      </thead>
      <tbody>
        {tokens.length === 0 ? (
          <tr>
            <td colspan={6} class="muted">
              No token issued yet.
            </td>
          </tr>
        ) : null}
        {tokens.map((token) => (
          <tr data-token={token.tokenId} data-state={token.state}>
            <td>
              <code title="the token itself is never shown">{`eyJ…[REDACTED] (id ${token.tokenId.slice(-12)})`}</code>
            </td>
            <td>{token.clientId}</td>
            <td>{token.scopes.join(", ")}</td>
            <td>
              <time>{token.expiresAt}</time> ({relative(Date.parse(token.expiresAt), now)})
            </td>
            <td>
              <span class={`state token-${token.state}`}>{token.state}</span>
            </td>
            <td>
              {token.state === "valid" ? (
                <ActionForm action="/__emulator/tokens/revoke" label={`Revoke token ${token.tokenId}`}>
                  <input type="hidden" name="tokenId" value={token.tokenId} />
                  <button type="submit">Revoke</button>
                </ActionForm>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    <h3>Clients</h3>
    <ul class="clients">
      {clients.map((clientId) => (
        <li>
          <code>{clientId}</code>{" "}
          <ActionForm
            action="/__emulator/tokens/revoke"
            label={`Revoke every token of ${clientId}`}
            class="inline"
          >
            <input type="hidden" name="clientId" value={clientId} />
            <button type="submit">Revoke all of its tokens</button>
          </ActionForm>
        </li>
      ))}
    </ul>
  </div>
);

/** A fault rule as the faults view shows it: as the control API lists it. */
export type InspectorFault = components["schemas"]["FaultRule"];

/** Rate-limit and quota state. */
export interface InspectorLimits {
  rateLimits: readonly { rule: string; clientId: string; used: number; limit: number; windowMs: number }[];
  rateLimitsEnabled: boolean;
  trialQuota?: { limit: number; refillsAt: string; clients: readonly { clientId: string; used: number }[] };
}

const faultEffect = (rule: InspectorFault) =>
  [
    rule.status !== undefined ? String(rule.status) : "",
    rule.retryAfter !== undefined ? `retry-after ${rule.retryAfter} s` : "",
    rule.reset ? "connection reset" : "",
    rule.latencyMs !== undefined ? `+${rule.latencyMs} ms` : "",
  ]
    .filter(Boolean)
    .join(", ");

/** Faults and limits: the active rules, a form to add one, and the rate-limit and quota state. */
export const FaultsView: FC<{ rules: readonly InspectorFault[]; seed: number; limits: InspectorLimits }> = ({
  rules,
  seed,
  limits,
}) => (
  <>
    <ActionForm action="/__emulator/faults" label="Add a fault rule" class="add-fault">
      <fieldset>
        <legend>Add a fault rule</legend>
        <label>
          Route
          <input name="route" type="text" value="*" required placeholder="POST /sensei/*" />
        </label>
        <label>
          Status
          <select name="status" data-json="number">
            <option value="">none</option>
            {[429, 500, 502, 503, 504].map((s) => (
              <option value={String(s)}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Times (empty: until removed)
          <input name="times" type="number" min="1" data-json="number" />
        </label>
        <label>
          Probability (0-1)
          <input name="probability" type="number" min="0" max="1" step="0.01" data-json="number" />
        </label>
        <label>
          Latency (ms)
          <input name="latencyMs" type="number" min="0" data-json="number" />
        </label>
        <label>
          Retry-After (s)
          <input name="retryAfter" type="number" min="0" data-json="number" />
        </label>
        <label class="check">
          <input name="reset" type="checkbox" value="true" data-json="boolean" /> Reset the connection
        </label>
        <button type="submit">Add rule</button>
      </fieldset>
    </ActionForm>
    <div id="live">
      <table class="grid" aria-label="Active fault rules">
        <caption>{`Active rules (first match wins; probability seed ${seed})`}</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Route</th>
            <th scope="col">Effect</th>
            <th scope="col">Remaining</th>
            <th scope="col">Probability</th>
            <th scope="col">Hits</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {rules.length === 0 ? (
            <tr>
              <td colspan={7} class="muted">
                No fault rule.
              </td>
            </tr>
          ) : null}
          {rules.map((rule) => (
            <tr data-fault={rule.id}>
              <td>{rule.id}</td>
              <td>
                <code>{rule.route}</code>
              </td>
              <td>{faultEffect(rule)}</td>
              <td>{rule.times === undefined ? "unlimited" : String(rule.times)}</td>
              <td>{rule.probability === undefined ? "always" : String(rule.probability)}</td>
              <td>{String(rule.hits)}</td>
              <td>
                <ActionForm
                  action={`/__emulator/faults/${encodeURIComponent(rule.id)}`}
                  method="DELETE"
                  label={`Remove ${rule.id}`}
                >
                  <button type="submit">Remove</button>
                </ActionForm>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rules.length > 0 ? (
        <ActionForm action="/__emulator/faults" method="DELETE" label="Remove every fault rule">
          <button type="submit">Remove all rules</button>
        </ActionForm>
      ) : null}
      <h3>Rate limits</h3>
      {limits.rateLimitsEnabled ? (
        <table class="grid" aria-label="Rate-limit windows">
          <thead>
            <tr>
              <th scope="col">Window</th>
              <th scope="col">Client</th>
              <th scope="col">Used</th>
            </tr>
          </thead>
          <tbody>
            {limits.rateLimits.length === 0 ? (
              <tr>
                <td colspan={3} class="muted">
                  No call counted yet.
                </td>
              </tr>
            ) : null}
            {limits.rateLimits.map((w) => (
              <tr>
                <td>{`${w.rule} (${w.windowMs / 1000} s)`}</td>
                <td>{w.clientId}</td>
                <td>
                  <meter min={0} max={w.limit} value={w.used}>{`${w.used} of ${w.limit}`}</meter>{" "}
                  {`${w.used} of ${w.limit}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Off (start with --rate-limits to enforce Adobe's windows).</p>
      )}
      <h3>Trial quota</h3>
      {limits.trialQuota ? (
        <>
          <p>{`${limits.trialQuota.limit} successful submissions per client; credits refill at ${limits.trialQuota.refillsAt}.`}</p>
          <ul>
            {limits.trialQuota.clients.map((q) => (
              <li>{`${q.clientId}: ${q.used} used, ${Math.max(0, (limits.trialQuota?.limit ?? 0) - q.used)} left`}</li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">Unlimited (start with --trial-quota N to set one).</p>
      )}
    </div>
  </>
);

/** Clock and state: the emulator's time, advance it, reset everything. */
export const ClockView: FC<{ now: number; counts: Record<string, number> }> = ({ now, counts }) => (
  <>
    <div id="live">
      <p>
        Emulator time: <time data-now={String(now)}>{iso(now)}</time>
      </p>
      <KeyValues
        caption="State"
        values={Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, String(v)]))}
      />
    </div>
    <ActionForm action="/__emulator/clock/advance" label="Advance the clock">
      <fieldset>
        <legend>Advance the clock</legend>
        <label>
          Milliseconds
          <input name="ms" type="number" min="0" required data-json="number" value="60000" />
        </label>
        <button type="submit">Advance</button>
        <button type="submit" name="ms" value="3600000" data-json="number">
          +1 hour
        </button>
        <button type="submit" name="ms" value="86400000" data-json="number">
          +1 day
        </button>
      </fieldset>
    </ActionForm>
    <ActionForm action="/__emulator/reset" label="Reset the emulator">
      <fieldset>
        <legend>Reset</legend>
        <p>
          Forgets every job, object, token, journal entry and count; restores the start-up faults and the
          clock.
        </p>
        <button type="submit" class="danger">
          Reset everything
        </button>
      </fieldset>
    </ActionForm>
  </>
);
