import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../core/domain/errors.ts';
import { ConnectLimiter } from '../../../core/domain/connect-limiter.ts';
import { RECEIPT_CONDITIONS, type ReceiptCondition } from '../../../core/domain/sample/sample-state.ts';
import { unstorableJson } from '../../../core/protocol/json-limits.ts';
import { CreatorLinkRefused } from '../../../core/services/creator-link.service.ts';
import type { UploadedPhoto } from '../../../core/services/creator-page.service.ts';
import type { CreatorLinkRow } from '../../../core/storage/repositories/creator-link.repository.ts';
import type { ApiDeps } from '../../app.ts';
import { creatorPage, layout, refusedPage } from './page.ts';

/**
 * The creator's page: GET /c/<token> and its forms (issue 12). No account: the signed link
 * is the credential, and it opens one sample. Locks on every form: the link (in the path),
 * a form token bound to the link, and the Origin of the post (a browser sends it with every
 * form post; a cross-site one is refused). Requests are rate-limited per link and per
 * address. Answers are HTML pages, never JSON, with the status a browser and a test read.
 */

const HEADERS = {
  'cache-control': 'no-store',
  // The token is in the URL: it must not leak to a post URL or an image host as a Referer.
  // `same-origin`, not `no-referrer`: with no-referrer a browser sends `Origin: null` on the
  // page's own form posts, and the Origin check below could no longer tell them apart.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-robots-tag': 'noindex',
  'content-security-policy':
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const STATUS: Record<string, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  RATE_LIMITED: 429,
  FORBIDDEN: 403,
};

interface Form {
  fields: Record<string, string[]>;
  photos: UploadedPhoto[];
}

export default function creatorPageRoutes(app: FastifyInstance, { services }: ApiDeps): void {
  // Services are read on the first request, not when routes are declared: the OpenAPI
  // generator declares them without services (these pages are not in the API document).
  let state: { perLink: ConnectLimiter; perIp: ConnectLimiter; photoMaxBytes: number; maxPhotos: number } | undefined;
  const limits = () => {
    const l = services.creatorPage.limits;
    state ??= {
      perLink: new ConnectLimiter(l.requestsPerMinute),
      perIp: new ConnectLimiter(l.requestsPerMinute * 5),
      photoMaxBytes: l.photoMaxBytes,
      maxPhotos: l.maxPhotos,
    };
    return state;
  };
  const page = () => services.creatorPage;

  void app.register(async (scope) => {
    await scope.register(fastifyMultipart);
    const config = { access: 'public' as const };

    /** The link of the request, after the rate limits; or a refusal page sent. */
    const open = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
      const now = Date.now();
      const { perIp, perLink } = limits();
      if (!perIp.take(req.ip, now) || !perLink.take(req.params.token.split('.')[0] ?? '', now)) {
        void send(reply.header('retry-after', '60'), 429, refusedPage('rate_limited'));
        return undefined;
      }
      try {
        return await page().open(req.params.token);
      } catch (err) {
        if (!(err instanceof CreatorLinkRefused)) throw err;
        const status = { invalid: 404, expired: 410, revoked: 410 }[err.reason];
        void send(reply, status, refusedPage(err.reason));
        return undefined;
      }
    };

    const show = async (
      link: CreatorLinkRow,
      req: FastifyRequest,
      reply: FastifyReply,
      status = 200,
      error?: string,
    ) => {
      const token = (req.params as { token: string }).token;
      const done = (req.query as { done?: unknown }).done;
      const html = creatorPage(await page().view(link), {
        base: `/c/${encodeURIComponent(token)}`,
        csrf: await services.creatorLinks.formToken(link.id),
        ...(typeof done === 'string' && status === 200 ? { done } : {}),
        ...(error ? { error } : {}),
      });
      return send(reply, status, html);
    };

    scope.get<{ Params: { token: string } }>('/c/:token', { config }, async (req, reply) => {
      const link = await open(req, reply);
      return link ? show(link, req, reply) : reply;
    });

    scope.get<{ Params: { token: string; photoId: string } }>(
      '/c/:token/photos/:photoId',
      { config },
      async (req, reply) => {
        const link = await open(req, reply);
        if (!link) return reply;
        try {
          const { row, bytes } = await page().photoOfLink(link, req.params.photoId);
          return reply
            .headers({ ...HEADERS, 'cache-control': 'private, max-age=3600', 'content-type': row.contentType })
            .send(bytes);
        } catch (err) {
          if (err instanceof DomainError && err.code === 'NOT_FOUND') {
            return send(reply, 404, layout('Not found', '<section class="error"><h1>Photo not found</h1></section>'));
          }
          throw err;
        }
      },
    );

    /** One form action: link, CSRF, the form parsed, the action; then back to the page (303) or the page with the error. */
    const action = (name: string, run: (link: CreatorLinkRow, form: Form, req: FastifyRequest) => Promise<void>) =>
      scope.post<{ Params: { token: string } }>(`/c/:token/${name}`, { config }, async (req, reply) => {
        const link = await open(req, reply);
        if (!link) return reply;
        if (!sameOrigin(req)) {
          return show(link, req, reply, 403, 'This form must be sent from this page. Reload the page and try again.');
        }
        const { photoMaxBytes, maxPhotos } = limits();
        let form: Form;
        try {
          form = await readForm(req, photoMaxBytes, maxPhotos);
        } catch (err) {
          return show(link, req, reply, formErrorStatus(err), formError(err, photoMaxBytes, maxPhotos));
        }
        if (!(await services.creatorLinks.checkFormToken(link.id, form.fields.csrf?.[0]))) {
          return show(link, req, reply, 403, 'This form has expired. Reload the page and try again.');
        }
        try {
          await run(link, form, req);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          return show(link, req, reply, STATUS[err.code] ?? 400, err.message);
        }
        return reply.redirect(`/c/${encodeURIComponent(req.params.token)}?done=${name}`, 303);
      });

    action('receipt', (link, form, req) => {
      const condition = form.fields.condition?.[0] ?? 'fine';
      if (!(RECEIPT_CONDITIONS as readonly string[]).includes(condition)) {
        throw new DomainError('VALIDATION_FAILED', 'choose how it arrived');
      }
      const note = form.fields.note?.[0]?.trim();
      return page().confirmReceipt(
        link,
        { condition: condition as ReceiptCondition, ...(note ? { note } : {}), photos: form.photos },
        req.ip,
      );
    });
    action('extension', (link, form, req) =>
      page().requestExtension(link, required(form, 'reason', 'say why you need more time'), req.ip),
    );
    action('posts', (link, form, req) => page().submitPosts(link, postUrls(form), req.ip));
    action('cannot-post', (link, form, req) =>
      page().cannotPost(link, required(form, 'reason', 'say why you cannot post'), req.ip),
    );
  });
}

function send(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).headers(HEADERS).type('text/html; charset=utf-8').send(html);
}

/**
 * A browser sends Origin with every form POST (and Sec-Fetch-Site); either naming another
 * site is a cross-site post. A client without either (curl, a test) still needs the form token.
 */
function sameOrigin(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (!origin) return true;
  // An opaque origin (a sandboxed frame, a privacy setting) counts only when the browser vouches the post is same-origin.
  if (origin === 'null') return site === 'same-origin';
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

async function readForm(req: FastifyRequest, fileSize: number, files: number): Promise<Form> {
  if (!req.isMultipart()) throw new DomainError('VALIDATION_FAILED', 'send the form from the page');
  const fields: Record<string, string[]> = {};
  const photos: UploadedPhoto[] = [];
  const parts = req.parts({ limits: { fileSize, files, fields: 20, fieldSize: 4000, parts: 30 } });
  for await (const part of parts) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      // An empty file input still sends a part with no bytes: nothing was chosen.
      if (bytes.length > 0) photos.push({ bytes });
    } else if (typeof part.value === 'string') {
      (fields[part.fieldname] ??= []).push(part.value);
    }
  }
  const problem = unstorableJson(fields, 4);
  if (problem) throw new DomainError('VALIDATION_FAILED', `the form holds characters we cannot store (${problem})`);
  return { fields, photos };
}

const formErrorStatus = (err: unknown) => {
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return 413;
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return 413;
  if (err instanceof DomainError) return STATUS[err.code] ?? 400;
  return 400;
};

function formError(err: unknown, maxBytes: number, maxPhotos: number): string {
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return `A photo is over ${Math.floor(maxBytes / 1048576)} MB. Choose a smaller one.`;
  if (code === 'FST_FILES_LIMIT') return `At most ${maxPhotos} photos, please.`;
  if (err instanceof DomainError) return err.message;
  return 'The form could not be read. Reload the page and try again.';
}

function required(form: Form, field: string, message: string): string {
  const v = form.fields[field]?.[0]?.trim();
  if (!v) throw new DomainError('VALIDATION_FAILED', message);
  if (v.length > 1000) throw new DomainError('VALIDATION_FAILED', 'please keep it under 1,000 characters');
  return v;
}

function postUrls(form: Form): string[] {
  const urls = (form.fields.url ?? []).map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(u).protocol) && u.length <= 2000;
    } catch {
      ok = false;
    }
    if (!ok) throw new DomainError('VALIDATION_FAILED', `"${u.slice(0, 80)}" is not a web link (https://…)`);
  }
  return urls.slice(0, 5);
}
