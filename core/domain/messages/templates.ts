import type { FollowUpAction } from '../sample/follow-up.ts';

/** The follow-up actions addressed to the creator: each renders a message from a template. */
export const CREATOR_MESSAGE_ACTIONS = [
  'send_shipment_confirmation',
  'send_brief',
  'request_receipt_and_condition_check',
  'send_posting_reminder',
  'send_deadline_nudge',
  'send_final_reminder',
] as const satisfies readonly FollowUpAction[];
export type CreatorMessageAction = (typeof CREATOR_MESSAGE_ACTIONS)[number];

export const isCreatorMessageAction = (a: string): a is CreatorMessageAction =>
  (CREATOR_MESSAGE_ACTIONS as readonly string[]).includes(a);

export interface MessageTemplate {
  subject: string;
  /** Plain text. */
  body: string;
}

/** Labels for the editor. */
export const ACTION_LABELS: Record<CreatorMessageAction, string> = {
  send_shipment_confirmation: 'Shipment confirmation',
  send_brief: 'Brief',
  request_receipt_and_condition_check: 'Receipt and condition check',
  send_posting_reminder: 'Posting reminder',
  send_deadline_nudge: 'Deadline nudge',
  send_final_reminder: 'Final reminder',
};

/**
 * The built-in templates, used where neither the campaign nor the program has its own
 * (message_templates). Plain text: they go out as email and are pasted into DMs.
 */
export const DEFAULT_TEMPLATES: Record<CreatorMessageAction, MessageTemplate> = {
  send_shipment_confirmation: {
    subject: 'Your {{product.name}} is on its way',
    body: `Hi {{creator.name}},

Your {{product.name}} {{product.variant}} ({{quantity}}) has shipped.
Carrier: {{tracking.carrier}}
Tracking number: {{tracking.number}}

Your page for this sample, where you confirm it arrived and share your post:
{{link}}

Thanks,
{{brand}}
`,
  },
  send_brief: {
    subject: 'Your brief for {{campaign.name}}',
    body: `Hi {{creator.name}},

Here is what we would love you to make with {{product.name}}.

{{campaign.brief}}

What to post:
{{campaign.deliverables}}

Guidelines:
{{campaign.guidelines}}

{{campaign.usageRights}}

Please post by {{dueDate}}.

Your parcel: {{tracking.carrier}} {{tracking.number}}

Everything about this sample (tracking, this brief, your due date), where you confirm it arrived and share your post:
{{link}}

Thanks,
{{brand}}
`,
  },
  request_receipt_and_condition_check: {
    subject: 'Did your {{product.name}} arrive safely?',
    body: `Hi {{creator.name}},

Your {{product.name}} should have arrived. Please confirm you received it and that it is in good condition. If anything is damaged, add a photo on your page:
{{link}}

Your content is due by {{dueDate}}.

Thanks,
{{brand}}
`,
  },
  send_posting_reminder: {
    subject: 'A reminder about your {{product.name}} post',
    body: `Hi {{creator.name}},

A friendly reminder: your content for {{campaign.name}} is due by {{dueDate}}.

What to post:
{{campaign.deliverables}}

Once it is live, share the link on your page:
{{link}}

Thanks,
{{brand}}
`,
  },
  send_deadline_nudge: {
    subject: 'Your {{product.name}} post is due {{dueDate}}',
    body: `Hi {{creator.name}},

Your content for {{campaign.name}} is due by {{dueDate}}. If you need more time, you can ask for an extension on your page:
{{link}}

Thanks,
{{brand}}
`,
  },
  send_final_reminder: {
    subject: 'Final reminder: your {{product.name}} post is due today',
    body: `Hi {{creator.name}},

Your content for {{campaign.name}} was due {{dueDate}}. Please post it and share the link on your page:
{{link}}

Thanks,
{{brand}}
`,
  },
};
