/** @jsxImportSource hono/jsx */
import type { components } from "@psapi/openapi-types/emulator";
import type { FC } from "hono/jsx";
import { ActionForm } from "./layout.js";

/** A fault rule as the faults view shows it: as the control API lists it. */
export type InspectorFault = components["schemas"]["FaultRule"];

/** Rate-limit and quota state: as the control API's `GET /__emulator/limits` answers. */
export type InspectorLimits = components["schemas"]["Limits"];

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
      {limits.rateLimits.enabled ? (
        <table class="grid" aria-label="Rate-limit windows">
          <thead>
            <tr>
              <th scope="col">Window</th>
              <th scope="col">Client</th>
              <th scope="col">Used</th>
            </tr>
          </thead>
          <tbody>
            {limits.rateLimits.windows.length === 0 ? (
              <tr>
                <td colspan={3} class="muted">
                  No call counted yet.
                </td>
              </tr>
            ) : null}
            {limits.rateLimits.windows.map((w) => (
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
