import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BatchError } from "./errors.js";
import { fillTemplate, readTemplateRows, templateColumns } from "./template.js";

const EDITS = {
  layers: [
    {
      type: "text_layer",
      name: "Headline",
      operation: { type: "edit" },
      text: { content: "{{headline}} — now {{price}}" },
    },
    {
      type: "smart_object_layer",
      name: "Product",
      operation: { type: "edit" },
      smartObject: { smartObjectFile: { source: { url: "{{product}}" } } },
    },
    {
      type: "solid_color_layer",
      name: "Band",
      operation: { type: "edit" },
      fill: { solidColor: { rgb: { red: "{{r|number}}", green: 0, blue: 0 } } },
      isVisible: "{{show|boolean}}",
    },
  ],
};

function csv(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "psapi-template-"));
  const path = join(dir, "rows.csv");
  writeFileSync(path, text);
  return path;
}

describe("template batches", () => {
  it("lists the columns the placeholders name", () => {
    expect(templateColumns(EDITS)).toEqual(["headline", "price", "product", "r", "show"]);
  });

  it("fills text, typed values and resolved files from a row", async () => {
    const [row] = await readTemplateRows(
      csv("id,headline,price,product,r,show\nshoe,Summer sale,$20,shoes/red.png,200,false\n"),
      templateColumns(EDITS),
    );
    const filled = fillTemplate(EDITS, row as never, (value, pointer) =>
      pointer.endsWith("/url") ? `https://store/${value}` : value,
    ) as typeof EDITS;
    expect(filled.layers[0]?.text?.content).toBe("Summer sale — now $20");
    expect(filled.layers[1]?.smartObject?.smartObjectFile.source.url).toBe("https://store/shoes/red.png");
    expect(filled.layers[2]?.fill?.solidColor.rgb.red).toBe(200);
    expect(filled.layers[2]?.isVisible).toBe(false);
    expect(EDITS.layers[0]?.text?.content).toBe("{{headline}} — now {{price}}");
  });

  it("keys rows by id, else by number, and refuses a duplicate id", async () => {
    const rows = await readTemplateRows(csv("headline\na\nb\n"), ["headline"]);
    expect(rows.map((r) => r.key)).toEqual(["row-1", "row-2"]);
    const path = csv("id,headline\nx,a\nx,b\n");
    const error = await readTemplateRows(path, ["headline"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchError);
    expect(error).toMatchObject({
      code: "invalid-template",
      problem: `${path} row 2: the id x is used twice`,
      input: path,
    });
  });

  it("says in fields which column the header lacks, and which value does not fit", async () => {
    const path = csv("id,title\nx,a\n");
    await expect(readTemplateRows(path, ["headline"])).rejects.toMatchObject({
      name: "BatchError",
      code: "invalid-template",
      problem: `${path}: the edits use {{headline}}, which the header does not have (it has id, title)`,
      input: path,
    });
    const [row] = await readTemplateRows(csv("id,r,show\nx,red,maybe\n"), ["r"]);
    expect(() => fillTemplate({ red: "{{r|number}}" }, row as never)).toThrow(
      expect.objectContaining({
        code: "invalid-template",
        problem: 'row 1 (x), /red: "red" is not a number',
        input: "x",
      }),
    );
    expect(() => fillTemplate({ v: "{{show|boolean}}" }, row as never)).toThrow(
      expect.objectContaining({ problem: 'row 1 (x), /v: "maybe" is not true or false' }),
    );
    expect(() => fillTemplate({ v: "a {{r|number}}" }, row as never)).toThrow(
      expect.objectContaining({
        problem: "row 1 (x), /v: |number applies to a placeholder that is the whole value",
      }),
    );
    await expect(readTemplateRows(csv("id,a\n1,2,3\n"), [])).rejects.toMatchObject({
      code: "invalid-template",
      problem: expect.stringContaining("not a valid CSV"),
    });
    await expect(readTemplateRows(csv("id,a\n"), [])).rejects.toMatchObject({
      code: "invalid-template",
      problem: expect.stringContaining("a header row and at least one row are needed"),
    });
  });
});
