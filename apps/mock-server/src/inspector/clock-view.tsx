import type { FC } from "hono/jsx";
import { ActionForm, iso, KeyValues } from "./layout.js";

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
