import type { FC } from "hono/jsx";
import type { JournalEntry } from "../control/journal.js";
import { KeyValues, statusClass } from "./layout.js";

/** A journal entry with what the inspector shows of its request. */
export type InspectorEntry = JournalEntry;

/** The requests view's filters, as the query string gives them. */
export interface RequestFilter {
  method?: string;
  path?: string;
  status?: string;
  clientId?: string;
}

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
