import type { CreatorPageView } from '../../../core/services/creator-page.service.ts';
import type { Deliverable, UsageRights } from '../../../core/storage/repositories/campaign.repository.ts';
import { escapeHtml as e, renderMarkdown } from './markdown.ts';

/**
 * The creator's page, server-rendered: plain HTML forms that work on any phone without
 * JavaScript, one column, large targets. Everything shown comes from CreatorPageView (an
 * allow-list); every value is escaped.
 */

const STYLE = `
:root { color-scheme: light; --ink:#1d1d1f; --muted:#5b5b66; --line:#d9d9e0; --accent:#0b57d0; --ok:#136c3a; --bad:#a4251a; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink); background:#f6f6f8; }
main { max-width:40rem; margin:0 auto; padding:1rem; }
h1 { font-size:1.4rem; margin:.5rem 0 1rem; } h2 { font-size:1.15rem; margin:0 0 .5rem; } h3, h4, h5 { font-size:1rem; margin:.75rem 0 .25rem; }
section { background:#fff; border:1px solid var(--line); border-radius:12px; padding:1rem; margin:0 0 1rem; }
dl { display:grid; grid-template-columns:max-content 1fr; gap:.25rem 1rem; margin:0; } dt { color:var(--muted); } dd { margin:0; overflow-wrap:anywhere; }
label { display:block; margin:.5rem 0 .25rem; font-weight:600; }
.choice { display:flex; gap:.5rem; align-items:center; font-weight:400; margin:.25rem 0; min-height:44px; }
input[type=url], textarea { width:100%; font:inherit; padding:.6rem; border:1px solid var(--line); border-radius:8px; }
input[type=file] { font:inherit; max-width:100%; }
button { font:inherit; font-weight:600; min-height:44px; padding:.6rem 1.2rem; border:0; border-radius:8px; background:var(--accent); color:#fff; margin-top:.75rem; cursor:pointer; }
button.quiet { background:#fff; color:var(--bad); border:1px solid var(--bad); }
.note { color:var(--muted); font-size:.9rem; }
.flash { border-color:var(--ok); color:var(--ok); } .error { border-color:var(--bad); color:var(--bad); }
.photos { display:flex; flex-wrap:wrap; gap:.5rem; } .photos img { width:6rem; height:6rem; object-fit:cover; border-radius:8px; border:1px solid var(--line); }
a { color:var(--accent); }
`;

const STAGE: Record<CreatorPageView['sample']['stage'], string> = {
  preparing: 'Being prepared',
  on_its_way: 'On its way',
  arrived: 'Delivered',
  content_due: 'Received — content due',
  under_review: 'Being looked into',
  posted: 'Posted — thank you!',
  closed: 'Closed',
};

const CONDITIONS = [
  ['fine', 'Arrived fine'],
  ['damaged', 'Arrived damaged'],
  ['wrong_item', 'Wrong item'],
  ['missing_parts', 'Parts missing'],
] as const;

const DONE: Record<string, string> = {
  receipt: 'Thanks — your receipt is recorded.',
  extension: 'Your extension request is recorded.',
  posts: 'Thanks — your post is recorded.',
  'cannot-post': 'Understood — we have noted that you cannot post.',
};

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${e(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

const day = (d: Date | null) =>
  d
    ? e(
        d.toLocaleDateString('en-US', {
          weekday: 'short',
          month: 'short',
          day: 'numeric',
          year: 'numeric',
          timeZone: 'UTC',
        }),
      )
    : '—';

export function creatorPage(
  v: CreatorPageView,
  o: { base: string; csrf: string; done?: string; error?: string },
): string {
  const s = v.sample;
  const form = (action: string, inner: string, button: string, cls = '') =>
    `<form method="post" action="${o.base}/${action}" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${e(o.csrf)}">${inner}<button type="submit"${cls ? ` class="${cls}"` : ''}>${e(button)}</button></form>`;
  const parts: string[] = [`<h1>Hi @${e(v.creatorHandle)}, here is your sample</h1>`];
  if (o.done && DONE[o.done]) parts.push(`<section class="flash" role="status">${e(DONE[o.done]!)}</section>`);
  if (o.error) parts.push(`<section class="error" role="alert">${e(o.error)}</section>`);

  parts.push(`<section aria-labelledby="what"><h2 id="what">What we sent</h2><dl>
<dt>Item</dt><dd>${e(s.product.name)}${s.product.variant ? ` (${e(s.product.variant)})` : ''} × ${s.quantity}</dd>
<dt>Status</dt><dd data-testid="stage">${e(STAGE[s.stage])}</dd>
<dt>Tracking</dt><dd>${s.tracking ? `${e(s.tracking.carrier)} ${e(s.tracking.trackingId)}` : 'not yet'}</dd>
${s.shippedAt ? `<dt>Shipped</dt><dd>${day(s.shippedAt)}</dd>` : ''}
${s.receivedAt ? `<dt>Arrived</dt><dd>${day(s.receivedAt)}</dd>` : ''}
${s.receiptCondition ? `<dt>Condition</dt><dd>${e(CONDITIONS.find(([k]) => k === s.receiptCondition)![1])}</dd>` : ''}
<dt>Content due</dt><dd data-testid="due">${s.dueAt ? day(s.dueAt) : s.post ? '—' : 'counted from the day it arrives'}</dd>
</dl></section>`);

  if (v.can.confirmReceipt) {
    parts.push(`<section aria-labelledby="receipt"><h2 id="receipt">Did it arrive?</h2>
${form(
  'receipt',
  `<fieldset style="border:0;padding:0;margin:0"><legend class="note">How did it arrive?</legend>
${CONDITIONS.map(([k, label], i) => `<label class="choice"><input type="radio" name="condition" value="${k}"${i === 0 ? ' checked' : ''}> ${label}</label>`).join('\n')}
</fieldset>
<label for="note">Anything we should know? (optional)</label><textarea id="note" name="note" rows="2" maxlength="1000"></textarea>
<label for="photos">Photos (optional, up to 6)</label><input id="photos" type="file" name="photos" accept="image/jpeg,image/png,image/webp,image/gif" multiple>`,
  'Confirm receipt',
)}</section>`);
  }

  if (v.can.submitPost) {
    parts.push(`<section aria-labelledby="post"><h2 id="post">Posted? Share the link</h2>
${form(
  'posts',
  `<label for="url1">Post URL</label><input id="url1" type="url" name="url" required placeholder="https://www.tiktok.com/@you/video/…" inputmode="url">
<label for="url2">Another deliverable (optional)</label><input id="url2" type="url" name="url" placeholder="https://…" inputmode="url">`,
  'Submit post',
)}</section>`);
  }
  if (s.post) {
    parts.push(
      `<section aria-labelledby="posted"><h2 id="posted">Your post</h2><ul>${s.post.urls
        .map((u) => `<li><a href="${e(u)}" rel="noopener noreferrer">${e(u)}</a></li>`)
        .join('')}</ul></section>`,
    );
  }

  const x = v.extension;
  if (v.can.requestExtension) {
    const how =
      x.rule === 'on_request' ? `granted at once: ${x.days} more days` : `a manager will decide (${x.days} more days)`;
    parts.push(`<section aria-labelledby="ext"><h2 id="ext">Need more time?</h2>
<p class="note">This campaign allows one extension, ${e(how)}.</p>
${form('extension', `<label for="reason">Why do you need more time?</label><textarea id="reason" name="reason" rows="2" required maxlength="1000"></textarea>`, 'Ask for the extension')}</section>`);
  } else if (x.requested || x.granted) {
    parts.push(
      `<section><h2>Extension</h2><p>${x.granted ? 'Your extension was granted.' : 'Your extension request is waiting for a decision.'}</p></section>`,
    );
  }

  if (v.campaign) {
    const c = v.campaign;
    parts.push(`<section aria-labelledby="brief"><h2 id="brief">The brief: ${e(c.name)}</h2>${renderMarkdown(c.briefMd) || '<p class="note">No brief yet.</p>'}
${c.deliverables.length ? `<h3>What to make</h3><ul>${c.deliverables.map((d) => `<li>${e(deliverable(d))}</li>`).join('')}</ul>` : ''}
${c.guidelinesMd ? `<h3>Brand guidelines</h3>${renderMarkdown(c.guidelinesMd)}` : ''}
<h3>How we may use your content</h3><p>${e(usage(c.usageRights))}</p></section>`);
  }

  if (v.photos.length) {
    parts.push(
      `<section aria-labelledby="ph"><h2 id="ph">Your photos</h2><div class="photos">${v.photos
        .map(
          (p) =>
            `<a href="${o.base}/photos/${e(p.id)}"><img src="${o.base}/photos/${e(p.id)}" alt="photo uploaded ${day(p.createdAt)}"></a>`,
        )
        .join('')}</div></section>`,
    );
  }

  if (v.can.cannotPost) {
    parts.push(`<section aria-labelledby="cant"><h2 id="cant">Can't post?</h2>
<p class="note">Tell us why; we would rather know than wait.</p>
${form('cannot-post', `<label for="why">Why not?</label><textarea id="why" name="reason" rows="2" required maxlength="1000"></textarea>`, "I can't post", 'quiet')}</section>`);
  }
  if (s.declined) parts.push(`<section><p>You told us you cannot post (${day(s.declined.at)}).</p></section>`);
  parts.push(
    `<p class="note">This page is only for you and this sample; the link works until ${day(v.expiresAt)}.</p>`,
  );
  return layout(`Your sample ${s.id}`, parts.join('\n'));
}

function deliverable(d: Deliverable): string {
  const what =
    { video: 'video', live: 'LIVE', photo: 'photo', story: 'story', raw_footage: 'raw footage' }[d.kind] ?? d.kind;
  const n = d.count > 1 ? `${d.count} × ${what}` : `1 ${what}`;
  const extra = [
    d.keepUpDays ? `kept up ${d.keepUpDays}+ days` : '',
    d.minMinutes ? `at least ${d.minMinutes} minutes` : '',
    d.note ?? '',
  ]
    .filter(Boolean)
    .join(', ');
  return extra ? `${n}, ${extra}` : n;
}

function usage(u: Partial<UsageRights>): string {
  const granted = [
    u.organicRepost ? 'repost on our accounts' : '',
    u.paidUsage ? 'use in paid ads' : '',
    u.whitelisting ? 'run ads from your account (whitelisting)' : '',
  ].filter(Boolean);
  if (!granted.length) return 'We will not reuse your content beyond sharing your post.';
  const span = u.durationDays ? ` for ${u.durationDays} days` : '';
  return `We may ${granted.join(', ')}${span}.${u.notes ? ` ${u.notes}` : ''}`;
}

export function refusedPage(reason: 'invalid' | 'expired' | 'revoked' | 'rate_limited'): string {
  const text = {
    invalid: [
      'This link does not work',
      'Check that you opened the whole link from your message. If it still does not open, reply to the message and we will send a new one.',
    ],
    expired: [
      'This link has expired',
      'Links to a sample work for a limited time. Reply to the message you got and we will send you a new link.',
    ],
    revoked: [
      'This link is no longer active',
      'A newer link was sent for this sample, or this one was turned off. Use the link in the latest message, or reply and ask for a new one.',
    ],
    rate_limited: ['Too many requests', 'Please wait a minute and try again.'],
  }[reason];
  return layout(text[0]!, `<section class="error" role="alert"><h1>${e(text[0]!)}</h1><p>${e(text[1]!)}</p></section>`);
}
