/** @jsxImportSource hono/jsx */
import type { components } from "@psapi/openapi-types/emulator";
import type { FC } from "hono/jsx";
import { ActionForm, relative } from "./layout.js";

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
