/** The variables a message template may name, with what each holds (shown in the editor). */
export const MESSAGE_VARIABLES = [
  { name: 'creator.handle', description: "The creator's handle, e.g. @ava.makes" },
  { name: 'creator.name', description: "The creator's display name (the handle when none is recorded)" },
  { name: 'sample.id', description: 'The sample id, e.g. SMP-26-000123' },
  { name: 'product.name', description: "The product's name" },
  { name: 'product.sku', description: "The product's SKU" },
  { name: 'product.variant', description: 'The variant sent (shade, size), empty when none' },
  { name: 'quantity', description: 'How many units were sent' },
  { name: 'campaign.name', description: "The campaign's name" },
  { name: 'campaign.brief', description: "The campaign's brief" },
  { name: 'campaign.guidelines', description: "The campaign's content guidelines" },
  { name: 'campaign.deliverables', description: 'What to make, one line per deliverable' },
  { name: 'campaign.usageRights', description: 'How the brand may use the content, as a sentence' },
  { name: 'tracking.carrier', description: 'The carrier, e.g. UPS' },
  { name: 'tracking.number', description: 'The tracking number' },
  {
    name: 'dueDate',
    description: 'When content is due, as a date; before delivery "14 days after it arrives" (the posting window)',
  },
  { name: 'link', description: "The creator's own page for this sample: receipt, photos, posting the link" },
  { name: 'brand', description: "Who the message is from (SMTP_FROM's display name, else 'our team')" },
] as const;

export type MessageVariable = (typeof MESSAGE_VARIABLES)[number]['name'];
export const MESSAGE_VARIABLE_NAMES: readonly string[] = MESSAGE_VARIABLES.map((v) => v.name);
export type MessageValues = Partial<Record<MessageVariable, string>>;
