import { Hono } from "hono";
import { type EmulatorContext, type EmulatorEnv, ownOrigins, publicOrigin } from "../context.js";
import { createGateway, createTrialQuota } from "../gateway/gateway.js";
import { resourceNotFound } from "../http/errors.js";
import { bodyValidator } from "../http/openapi-validator.js";
import { readJsonBody } from "../http/request-body.js";
import { jobLinkBody, statusJson, statusUrl } from "../jobs/job-views.js";
import type { ManifestRequest } from "../jobs/jobs.js";
import { psdStatusBody } from "./views.js";

/**
 * `/pie/psdService`: hello, documentManifest and its status, behind the gateway.
 * Status answers 202 while the output is pending or running, 200 once final (same body).
 */
export function createPieRouter(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();
  router.use("*", createGateway(ctx));
  // Looked up once per app (compiled once per process), not per request.
  const validateManifest = bodyValidator("photoshop.yaml", "getDocumentManifest");

  router.get("/hello", (c) => c.text("Welcome to the Photoshop API!"));

  router.post("/documentManifest", createTrialQuota(ctx), async (c) => {
    const body = await readJsonBody<ManifestRequest>(c, validateManifest);
    const job = ctx.jobs.submit(
      "manifest",
      c.get("clientId"),
      body,
      publicOrigin(ctx, c),
      ownOrigins(ctx, c),
    );
    return c.json(jobLinkBody(job), 202);
  });

  router.get("/status/:jobId", (c) => {
    const job = ctx.jobs.get(c.req.param("jobId"), c.get("clientId"));
    if (job?.kind !== "manifest") throw resourceNotFound();
    const final = job.status === "succeeded" || job.status === "failed";
    // Adobe's status examples carry the status URL in Location too.
    return c.body(statusJson(job, psdStatusBody), final ? 200 : 202, {
      "content-type": "application/json",
      location: statusUrl(job),
    });
  });

  return router;
}
