import type { components } from "@psapi/openapi-types/photoshop-current";
import type { DocumentManifest, ManifestLayer, ManifestLayerType } from "./manifest-types.js";

/** The Photoshop API v2 manifest (`/v2/generate-manifest`): the spec's `ManifestV2`. */
export type ManifestV2 = components["schemas"]["ManifestV2"];

/** A layer of the v2 manifest: the spec's `ManifestV2Layer`. */
export type ManifestV2Layer = components["schemas"]["ManifestV2Layer"];

/** v1 layer types → v2 snake_case types (Adobe's manifest-response migration guide). */
const V2_TYPES: Record<ManifestLayerType, string> = {
  layer: "layer",
  textLayer: "text_layer",
  adjustmentLayer: "adjustment_layer",
  backgroundLayer: "background_layer",
  fillLayer: "solid_color_layer",
  layerSection: "group_layer",
  smartObject: "smart_object_layer",
  // Not in the migration guide (the v1 kind is in one example only): its snake_case form, as the
  // other kinds map.
  contentLayer: "content_layer",
};

function ltrb(bounds: {
  top: number;
  left: number;
  width: number;
  height: number;
}): components["schemas"]["LtrbBounds"] {
  return {
    left: bounds.left,
    top: bounds.top,
    right: bounds.left + bounds.width,
    bottom: bounds.top + bounds.height,
  };
}

function layerV2(layer: ManifestLayer): ManifestV2Layer {
  const blend = layer.blendOptions;
  return {
    id: layer.id,
    name: layer.name,
    type: V2_TYPES[layer.type],
    visible: layer.visible,
    bounds: ltrb(layer.bounds),
    protection: layer.locked ? ["all"] : ["none"],
    ...(blend ? { blendOptions: { opacity: blend.opacity, blendMode: blend.blendMode } } : {}),
    ...(layer.children ? { children: layer.children.map(layerV2) } : {}),
  };
}

/**
 * Converts the v1 manifest (`readDocumentManifest`) to the v2 shape of Adobe's field-by-field
 * reference: `name`→`title`, `width`/`height`→`bounds`, `bitDepth`→`depth`, `iccProfileName`→
 * `iccProfile`, `photoshopBuild` dropped; layer types in snake_case, bounds as edges, `locked`→
 * `protection` (`["all"]` or `["none"]`), group children under `children`.
 *
 * @see `@psapi/openapi` photoshop-current.yaml, operation `generateManifest`
 */
export function toManifestV2(manifest: DocumentManifest): ManifestV2 {
  const { document } = manifest;
  return {
    version: "2.0",
    document: {
      title: document.name,
      bounds: { left: 0, top: 0, right: document.width, bottom: document.height },
      depth: document.bitDepth,
      imageMode: document.imageMode,
      ...(document.iccProfileName ? { iccProfile: document.iccProfileName } : {}),
    },
    layers: manifest.layers.map(layerV2),
  };
}
