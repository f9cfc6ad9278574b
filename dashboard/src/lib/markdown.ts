/**
 * A tiny Markdown renderer for campaign briefs and guidelines: headings, paragraphs, bold,
 * italics, bullet and numbered lists, and links to http(s) only. Safe by construction: the
 * whole source is HTML-escaped first, so the only tags in the output are the ones written
 * here, and a link's address can neither leave its attribute nor be a javascript: URL.
 * Pure, no DOM; unit-tested in test/dashboard/markdown.test.ts.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

// On escaped text: the characters these match are never produced by escaping.
function inline(s: string): string {
  return s
    .replace(
      /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
      (_, text: string, href: string) => `<a href="${href}" rel="noopener noreferrer nofollow">${text}</a>`,
    )
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/__([^_]+)__/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_([^_\s][^_]*)_(?![_\w])/g, '$1<em>$2</em>');
}

type Block = { kind: 'p'; lines: string[] } | { kind: 'ul' | 'ol'; items: string[] };

const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

export function renderMarkdown(source: string): string {
  const out: string[] = [];
  let block = null as Block | null;
  const flush = () => {
    if (!block) return;
    if (block.kind === 'p') out.push(`<p>${block.lines.map(inline).join('<br>')}</p>`);
    else out.push(`<${block.kind}>${block.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${block.kind}>`);
    block = null;
  };
  for (const raw of escapeHtml(source).split(/\r?\n/)) {
    const line = raw.trimEnd();
    const heading = HEADING.exec(line);
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (!line.trim()) {
      flush();
    } else if (heading) {
      flush();
      const level = heading[1]!.length;
      out.push(`<h${level}>${inline(heading[2]!.trim())}</h${level}>`);
    } else if (bullet || numbered) {
      const kind = bullet ? 'ul' : 'ol';
      if (block?.kind !== kind) {
        flush();
        block = { kind, items: [] };
      }
      block.items.push((bullet ?? numbered)![1]!);
    } else if (block?.kind === 'p') {
      block.lines.push(line.trim());
    } else {
      flush();
      block = { kind: 'p', lines: [line.trim()] };
    }
  }
  flush();
  return out.join('\n');
}
