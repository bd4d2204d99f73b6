import { describe, expect, it } from "vitest";
import { summarizeManifest, summarizeManifestV2 } from "./manifest.js";

describe("summarizeManifest", () => {
  it("prints the document line, then the layer tree indented by depth", () => {
    const manifest = {
      document: { name: "poster.psd", width: 800, height: 600, imageMode: "rgb", bitDepth: 8 },
      layers: [
        {
          name: "Group",
          type: "layerSection",
          children: [
            { name: "Title", type: "textLayer", bounds: { width: 300, height: 40, left: 10, top: 20 } },
          ],
        },
        { name: "Background", type: "backgroundLayer", bounds: { width: 800, height: 600, left: 0, top: 0 } },
      ],
    };
    expect(summarizeManifest("ignored.psd", manifest)).toEqual([
      "poster.psd: 800×600, rgb, 8-bit",
      "  Group (layerSection)",
      "    Title (textLayer) 300×40 at 10,20",
      "  Background (backgroundLayer) 800×600 at 0,0",
    ]);
  });

  it("falls back to the input's name and says when there are no document details", () => {
    expect(summarizeManifest("a.png", {})).toEqual(["a.png: no document details"]);
  });
});

describe("summarizeManifestV2", () => {
  it("prints the document line from its bounds, then the layer tree", () => {
    const manifest = {
      document: {
        title: "poster.psd",
        bounds: { left: 0, top: 0, right: 800, bottom: 600 },
        imageMode: "rgb",
        depth: 8,
      },
      layers: [
        {
          name: "Group",
          type: "group_layer",
          children: [
            { name: "Title", type: "text_layer", bounds: { left: 10, top: 20, right: 310, bottom: 60 } },
          ],
        },
      ],
    };
    expect(summarizeManifestV2("x.psd", manifest)).toEqual([
      "poster.psd: 800×600, rgb, 8-bit",
      "  Group (group_layer)",
      "    Title (text_layer) 300×40 at 10,20",
    ]);
    expect(summarizeManifestV2("a.png", {})).toEqual(["a.png: no document details"]);
  });
});
