import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMarkdown } from '../../dashboard/src/lib/markdown.ts';

describe('renderMarkdown', () => {
  it('renders headings, paragraphs, bold and italics', () => {
    expect(renderMarkdown('# Brief\n\nShow the **glow**, *softly*.\nSecond line')).toBe(
      '<h1>Brief</h1>\n<p>Show the <strong>glow</strong>, <em>softly</em>.<br>Second line</p>',
    );
    expect(renderMarkdown('### Small')).toBe('<h3>Small</h3>');
  });

  it('renders bullet and numbered lists', () => {
    expect(renderMarkdown('- one\n- **two**\n\n1. first\n2. second')).toBe(
      '<ul><li>one</li><li><strong>two</strong></li></ul>\n<ol><li>first</li><li>second</li></ol>',
    );
  });

  it('links http(s) addresses only', () => {
    expect(renderMarkdown('[calendar](https://example.com/a?b=1&c=2)')).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">calendar</a></p>',
    );
    expect(renderMarkdown('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>');
    expect(renderMarkdown('[x](data:text/html,hi)')).not.toContain('<a');
  });

  it('escapes HTML, so no tag or attribute of the source survives', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">');
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;');
    // A quote in a link address cannot close the attribute.
    expect(renderMarkdown('[x](https://e.com/"onmouseover="alert(1))')).not.toContain('" onmouseover');
    expect(renderMarkdown('[x](https://e.com/"onmouseover="alert(1))')).not.toMatch(/href="[^"]*"onmouseover/);
  });

  it('leaves snake_case words and lone asterisks alone', () => {
    expect(renderMarkdown('raw_footage_clip and 2 * 3')).toBe('<p>raw_footage_clip and 2 * 3</p>');
  });

  it('escapes the five characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
