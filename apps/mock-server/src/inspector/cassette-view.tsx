/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import { statusClass } from "./layout.js";

/** One recorded entry as the Cassette page lists it. */
export interface InspectorCassetteEntry {
  index: number;
  method: string;
  /** The operation id, else the URL's path (storage). */
  operation: string;
  /** The URL without its query. */
  url: string;
  status: number;
  job: { id: string; t: number } | undefined;
  /** How often it was served since start or the last reset. */
  played: number;
}

/**
 * The cassette a `--replay` emulator serves: its recorded exchanges, with the job and time on
 * the job's timeline of each and how often each was served (the replayed exchanges themselves
 * appear in Requests like live ones).
 */
export const CassetteView: FC<{ file: string | undefined; entries: readonly InspectorCassetteEntry[] }> = ({
  file,
  entries,
}) => {
  if (file === undefined)
    return (
      <div id="live">
        <p class="muted">
          No cassette loaded: start the emulator with <code>--replay &lt;cassette.har&gt;</code> (or
          <code>createEmulator({"{ replay }"})</code>) to serve one and list its exchanges here.
        </p>
      </div>
    );
  return (
    <div id="live">
      <p>
        Serving <code>{file}</code>: {entries.length} recorded exchanges. Requests not in it are answered 404{" "}
        <code>CassetteMissError</code>.
      </p>
      <table class="grid" aria-label="Recorded exchanges">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Method</th>
            <th scope="col">Operation</th>
            <th scope="col">Status</th>
            <th scope="col">Job</th>
            <th scope="col">t (ms after submission)</th>
            <th scope="col">Served</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr data-entry={String(entry.index)}>
              <td>{String(entry.index)}</td>
              <td>{entry.method}</td>
              <td>
                <code title={entry.url}>{entry.operation}</code>
              </td>
              <td>
                <span class={`status ${statusClass(entry.status)}`}>{String(entry.status)}</span>
              </td>
              <td>{entry.job ? <code>{entry.job.id}</code> : <span class="muted">–</span>}</td>
              <td>{entry.job ? String(entry.job.t) : ""}</td>
              <td>{String(entry.played)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};
