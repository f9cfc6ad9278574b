import { describe, expect, it } from 'vitest';
import { renderTemplate, unknownVariables, variablesOf } from './render.ts';
import { CREATOR_MESSAGE_ACTIONS, DEFAULT_TEMPLATES } from './templates.ts';
import { brandOf, deliverableLines, messageValues, usageRightsSentence, type MessageFacts } from './values.ts';
import { MESSAGE_VARIABLE_NAMES } from './variables.ts';

const facts = (over: Partial<MessageFacts> = {}): MessageFacts => ({
  sampleId: 'SMP-26-000001',
  creator: { handle: '@ava', name: 'Ava' },
  product: { sku: 'GLOW-1', name: 'Glow Serum', variant: null },
  quantity: 1,
  campaign: {
    name: 'Spring Glow',
    briefMd: 'Show your morning routine with the serum.',
    guidelinesMd: 'No competitor products.',
    deliverables: [
      { kind: 'video', count: 2, keepUpDays: 30 },
      { kind: 'live', count: 1, minMinutes: 20, note: 'answer questions' },
    ],
    usageRights: { organicRepost: true, paidUsage: true, whitelisting: false, durationDays: 90 },
  },
  tracking: { carrier: 'ups', number: '1Z999' },
  postingWindowDays: 14,
  link: 'https://st.example/c/abc',
  brand: 'Glow Labs',
  ...over,
});

describe('the template renderer', () => {
  it('replaces known variables, with or without spaces, and renders a missing value empty', () => {
    expect(
      renderTemplate('Hi {{creator.name}}, {{ link }}!{{product.variant}}', { 'creator.name': 'Ava', link: 'L' }),
    ).toBe('Hi Ava, L!');
  });

  it('lists the unknown variables a template names, once each', () => {
    expect(variablesOf('{{a}} {{b.c}} {{a}}')).toEqual(['a', 'b.c']);
    expect(unknownVariables('{{link}} {{dueDat}} {{dueDat}} {{brand}}', MESSAGE_VARIABLE_NAMES)).toEqual(['dueDat']);
  });

  it('leaves text that only looks like a variable alone', () => {
    expect(renderTemplate('{{ 1 }} {x} {{}}', {})).toBe('{{ 1 }} {x} {{}}');
  });
});

describe('the values of a message', () => {
  it('renders deliverables as lines and usage rights as a sentence', () => {
    expect(deliverableLines(facts().campaign!.deliverables)).toBe(
      '- 2 videos (kept up at least 30 days)\n- 1 LIVE (at least 20 minutes): answer questions',
    );
    expect(usageRightsSentence({ organicRepost: true, paidUsage: true, whitelisting: false, durationDays: 90 })).toBe(
      'We may repost it on our own channels and use it in paid ads for 90 days.',
    );
    expect(usageRightsSentence({ organicRepost: false, paidUsage: false, whitelisting: false })).toBe(
      'We will not reuse your content beyond your own post.',
    );
    expect(usageRightsSentence({})).toBe('');
  });

  it('gives the due date as a date, or the posting window before delivery', () => {
    expect(messageValues(facts({ dueAt: new Date('2026-12-12T15:00:00Z') })).dueDate).toBe(
      'Saturday, December 12, 2026',
    );
    expect(messageValues(facts()).dueDate).toBe('14 days after it arrives');
  });

  it('falls back to the handle for a creator without a name, and the brand to our team', () => {
    expect(messageValues(facts({ creator: { handle: '@ava', name: null } }))['creator.name']).toBe('@ava');
    expect(brandOf('Glow Labs <samples@glow.example>')).toBe('Glow Labs');
    expect(brandOf('"Glow Labs" <samples@glow.example>')).toBe('Glow Labs');
    expect(brandOf('samples@glow.example')).toBe('our team');
    expect(brandOf(undefined)).toBe('our team');
  });
});

describe('the built-in templates', () => {
  it('exist for every creator action and name only known variables', () => {
    for (const action of CREATOR_MESSAGE_ACTIONS) {
      const t = DEFAULT_TEMPLATES[action];
      expect(unknownVariables(t.subject + t.body, MESSAGE_VARIABLE_NAMES), action).toEqual([]);
      expect(t.body, action).toContain('{{link}}');
    }
  });

  it('the brief carries the brief, the deliverables, the due date and the link', () => {
    const t = DEFAULT_TEMPLATES.send_brief;
    const before = renderTemplate(t.body, messageValues(facts()));
    expect(before).toContain('Show your morning routine with the serum.');
    expect(before).toContain('- 2 videos (kept up at least 30 days)');
    expect(before).toContain('Please post by 14 days after it arrives.');
    expect(before).toContain('https://st.example/c/abc');
    expect(before).toContain('We may repost it on our own channels');
    const after = renderTemplate(t.body, messageValues(facts({ dueAt: new Date('2026-12-12T00:00:00Z') })));
    expect(after).toContain('Please post by Saturday, December 12, 2026.');
    expect(renderTemplate(t.subject, messageValues(facts()))).toBe('Your brief for Spring Glow');
  });
});
