import { Hono } from "hono";
import { type EmulatorContext, type EmulatorEnv, ownOrigins, publicOrigin } from "../context.js";
import { createGateway, createTrialQuota } from "../gateway/gateway.js";
import { resourceNotFound } from "../http/errors.js";
import { bodyValidator } from "../http/openapi-validator.js";
import { readJsonBody } from "../http/request-body.js";
import { jobLinkBody, statusJson, statusUrl } from "../jobs/job-views.js";
import type { JobKind, SenseiRequest } from "../jobs/jobs.js";
import { senseiStatusBody } from "./views.js";

/** `/sensei`: create mask, remove background (cutout), and their status (always 200 for a known job). */
export function createSenseiRouter(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();
  router.use("*", createGateway(ctx));
  const quota = createTrialQuota(ctx);

  const submit = (kind: JobKind, operationId: string) => {
    // Looked up once per app (compiled once per process), not per request.
    const validate = bodyValidator("photoshop.yaml", operationId);
    router.post(`/${kind}`, quota, async (c) => {
      const body = await readJsonBody<SenseiRequest>(c, validate);
      const job = ctx.jobs.submit(kind, c.get("clientId"), body, publicOrigin(ctx, c), ownOrigins(ctx, c));
      return c.json(jobLinkBody(job), 202);
    });
  };
  submit("mask", "createMask");
  submit("cutout", "removeBackground");

  router.get("/status/:jobId", (c) => {
    const job = ctx.jobs.get(c.req.param("jobId"), c.get("clientId"));
    if (!job || job.kind === "manifest") throw resourceNotFound();
    // Adobe's status examples carry the status URL in Location too.
    return c.body(statusJson(job, senseiStatusBody), 200, {
      "content-type": "application/json",
      location: statusUrl(job),
    });
  });

  return router;
}
